import { describe, expect, expectTypeOf, it } from 'vitest';
import type { WeightsFormat } from '../core/model/modelFolder.ts';
import { UsageError } from './cliError.ts';
import { defineOptions, optionHelpLine, parseCommandLine, type OptionRecord, type OptionValues } from './command.ts';
import { EVAL_OPTIONS, planEval } from './commands/evalPlan.ts';
import { COMMANDS } from './main.ts';
import { choice, whole, type BoundedKind } from './optionValues.ts';

/** Every option of every command, with its command. */
const EVERY_OPTION = COMMANDS.flatMap((command) => Object.entries(command.options).map(([name, record]) => ({ command, name, record })));

/** The options whose kind has bounds (whole numbers, decimals), with those bounds. */
const BOUNDED = EVERY_OPTION.flatMap(({ command, name, record }) => {
  const kind = record.type === 'string' ? record.value : undefined;
  return kind && 'min' in kind ? [{ command, name, kind: kind as BoundedKind<number> & { kind: 'whole' | 'decimal' } }] : [];
});

/** The message `parseCommandLine` refuses `argv` with, or null when it takes it. */
function refusal(commandName: string, argv: string[]): string | null {
  const command = COMMANDS.find((c) => c.name === commandName)!;
  try {
    parseCommandLine(command.name, command.options, argv);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
}

describe('option records: one record gives the parser, --help and the check', () => {
  it('every option of every command has a help line, and --help prints it with its rule and default', () => {
    expect(EVERY_OPTION.length).toBeGreaterThan(40);
    for (const { command, name, record } of EVERY_OPTION) {
      expect(record.help.trim(), `${command.name} --${name} has no help`).not.toBe('');
      const line = command.helpText().split('\n').find((l) => l.trimStart().startsWith(`--${name} `));
      expect(line, `${command.name} --help lists no --${name}`).toBe(optionHelpLine(name, record));
      expect(line).toContain(record.help);
      if (record.type === 'string' && record.value) expect(line).toContain(`[${record.value.rule}]`);
      if (record.type === 'string' && !record.multiple && record.default !== undefined) expect(line).toContain(`[default: ${record.default}]`);
    }
  });

  it('no help line repeats by hand the bounds or the default its record prints', () => {
    for (const { command, name, record } of EVERY_OPTION) {
      expect(record.help, `${command.name} --${name}`).not.toMatch(/a whole number from|\(default\b|default \d/);
      if (record.type === 'string' && record.value && 'choices' in record.value) {
        expect(record.help, `${command.name} --${name} lists its choices by hand`).not.toContain((record.value.choices as string[]).join(' | '));
      }
    }
  });

  it('each bound --help prints is the bound the check holds: min and max taken, one past either refused', () => {
    expect(BOUNDED.map((b) => `${b.command.name} --${b.name}`)).toEqual(expect.arrayContaining(['eval --permutations', 'eval --seed', 'eval --rescore', 'eval --fuse-depth', 'eval --tolerance', 'eval --bm25-b']));
    for (const { command, name, kind } of BOUNDED) {
      const line = optionHelpLine(name, command.options[name]);
      const at = `${command.name} --${name}`;
      const step = kind.kind === 'whole' ? 1 : 1e-6;
      if (kind.kind === 'whole') expect(line, at).toContain(`a whole number from ${kind.min} to ${kind.max}`);
      for (const taken of [kind.min, ...(Number.isFinite(kind.max) ? [kind.max] : [])]) expect(refusal(command.name, [`--${name}`, String(taken)]), at).toBeNull();
      expect(refusal(command.name, [`--${name}`, String(kind.min - step)]), at).toMatch(new RegExp(`^${command.name}: --${name} must be`));
      if (Number.isFinite(kind.max)) expect(refusal(command.name, [`--${name}`, String(kind.max + step)]), at).toMatch(new RegExp(`^${command.name}: --${name} must be`));
    }
  });

  it('--permutations: 9999 refused and --help shows 10000 as the minimum and the default, both from its record', () => {
    const line = optionHelpLine('permutations', EVAL_OPTIONS.permutations);
    expect(line).toMatch(/\[a whole number from 10000 to 10000000\] \[default: 10000\]/);
    expect(refusal('eval', ['--permutations', '9999'])).toBe('eval: --permutations must be a whole number from 10000 to 10000000, got "9999"');
    // planEval adds no bound of its own: what the record takes, the plan carries.
    const { values, positionals, order } = parseCommandLine('eval', EVAL_OPTIONS, ['data', '--model', 'A', '--permutations', '10000000', '--seed', '4294967295']);
    expect(planEval(values, positionals, order).stats).toEqual({ permutations: 10_000_000, seed: 4_294_967_295 });
    const defaults = parseCommandLine('eval', EVAL_OPTIONS, ['data', '--model', 'A']);
    expect(planEval(defaults.values, defaults.positionals, defaults.order).stats.permutations).toBe(Number(EVAL_OPTIONS.permutations.default));
  });

  it('the plan takes the sweep and fusion numbers at their records\' bounds', () => {
    const sweep = parseCommandLine('eval', EVAL_OPTIONS, ['data', '--model', 'A', '--sweep', 'precision=int8', '--rescore', String(EVAL_OPTIONS.rescore.value.max)]);
    expect(planEval(sweep.values, sweep.positionals, sweep.order).sweep?.rescore).toBe(EVAL_OPTIONS.rescore.value.max);
    const fused = parseCommandLine('eval', EVAL_OPTIONS, ['data', '--model', 'A', '--model', 'B', '--fuse', 'h=rrf:A,B', '--fuse-depth', String(EVAL_OPTIONS['fuse-depth'].value.max)]);
    expect(planEval(fused.values, fused.positionals, fused.order).fuseDepth).toBe(EVAL_OPTIONS['fuse-depth'].value.max);
  });

  it('every choice --help lists is taken, and a word outside them is refused naming them', () => {
    const choices = EVERY_OPTION.flatMap(({ command, name, record }) => (record.type === 'string' && record.value && 'choices' in record.value ? [{ command, name, record, choices: record.value.choices as string[] }] : []));
    expect(choices.map((c) => `${c.command.name} --${c.name}`)).toEqual(expect.arrayContaining(['eval --weights', 'eval --bm25-method', 'embed --variant', 'embed --as', 'inspect --unknown-ids']));
    for (const { command, name, record, choices: words } of choices) {
      expect(optionHelpLine(name, record)).toContain(`[${words.join(' | ')}]`);
      for (const word of words) expect(refusal(command.name, [`--${name}`, word])).toBeNull();
      const message = refusal(command.name, [`--${name}`, 'pickle']);
      expect(message).toMatch(new RegExp(`^${command.name}: --${name} must be .*, got "pickle"$`));
      for (const word of words) expect(message).toContain(word);
    }
  });

  it('--help is answered whatever else the line holds (its values are not checked)', () => {
    expect(parseCommandLine('eval', EVAL_OPTIONS, ['--permutations', 'abc', '--help']).help).toBe(true);
    expect(() => parseCommandLine('eval', EVAL_OPTIONS, ['--permutations', 'abc'])).toThrow(/--permutations must be a whole number/);
  });

  it('a repeated option with a kind reads every occurrence', () => {
    const records = defineOptions({ size: { type: 'string', multiple: true, value: whole(1, 3), help: 'sizes' }, help: { type: 'boolean', default: false, help: 'show this help' } });
    expect(parseCommandLine('t', records, ['--size', '1', '--size', '3']).values.size).toEqual([1, 3]);
    expect(() => parseCommandLine('t', records, ['--size', '1', '--size', '4'])).toThrow('t: --size must be a whole number from 1 to 3, got "4"');
  });

  it('the values\' types follow from the records', () => {
    const records = defineOptions({
      count: { type: 'string', default: '5', value: whole(1, 9), help: 'a count' },
      seed: { type: 'string', value: whole(0, 9), help: 'a seed' },
      mode: { type: 'string', default: 'a', value: choice(['a', 'b']), help: 'a mode' },
      name: { type: 'string', help: 'a name' },
      files: { type: 'string', multiple: true, help: 'files' },
      quiet: { type: 'boolean', default: false, help: 'quiet' },
    });
    expectTypeOf<OptionValues<typeof records>>().toEqualTypeOf<{ count: number; seed: number | undefined; mode: 'a' | 'b'; name: string | undefined; files: string[] | undefined; quiet: boolean }>();
    expectTypeOf<OptionValues<typeof EVAL_OPTIONS>['weights']>().toEqualTypeOf<WeightsFormat>();
    expectTypeOf<OptionValues<typeof EVAL_OPTIONS>['permutations']>().toEqualTypeOf<number>();
    expectTypeOf<OptionValues<typeof EVAL_OPTIONS>['k']>().toEqualTypeOf<number[]>();
    expectTypeOf(records.count).toExtend<OptionRecord>();
  });
});
