import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cliError.ts';
import type { ValueKind } from './optionValues.ts';

/**
 * One record per option, citty's habit: its type, whether it repeats, its default, its help line and, for a
 * value that is more than text, the kind that reads and checks it. The parser's schema, `--help` and the
 * checked values a command runs on are all derived from these records; nothing about an option is said twice.
 */
export type OptionRecord = TextOption | RepeatedOption | FlagOption;

interface Described {
  /** What the option does, for `--help`; its rule and default are added from the record, not written here. */
  help: string;
  /**
   * The default as `--help` shows it where the parser has none because it is decided further on (a folder
   * under the home directory, the comparison's depth).
   */
  defaultText?: string;
}

/** `--name VALUE`, once. */
interface TextOption extends Described {
  type: 'string';
  multiple?: false;
  default?: string;
  value?: ValueKind<unknown>;
}

/** `--name VALUE`, as often as given, in order. */
interface RepeatedOption extends Described {
  type: 'string';
  multiple: true;
  value?: ValueKind<unknown>;
}

/** `--name`, on or off. */
interface FlagOption extends Described {
  type: 'boolean';
  default?: boolean;
}

export type OptionRecords = Record<string, OptionRecord>;

/** The records of one command, kept literal (`as const` without writing it) so their value types follow. */
export function defineOptions<const R extends OptionRecords>(records: R): R {
  return records;
}

type ValueOf<R> = R extends { type: 'boolean' } ? boolean : R extends { value: ValueKind<infer T> } ? T : string;

/**
 * The values a command runs on, typed from its records: a kind's value type (a number, a list, one of some
 * words), an array for a repeated option, and `undefined` only where the option has no default.
 */
export type OptionValues<R extends OptionRecords> = {
  -readonly [K in keyof R]: (R[K] extends { multiple: true } ? ValueOf<R[K]>[] : ValueOf<R[K]>) | (R[K] extends { default: string | boolean } ? never : undefined);
};

/** An option as given on the command line, in order (where their relative order matters). */
export interface GivenOption {
  name: string;
  value: string | undefined;
}

/** A CLI command: its option records are the single source of the parser, of `--help` and of the checks. */
export interface Command<R extends OptionRecords> {
  name: string;
  summary: string;
  usage: string;
  options: R;
  /** Runs on values already checked against their records; `order` lists the options as given. */
  run(values: OptionValues<R>, positionals: string[], order: GivenOption[]): Promise<number>;
}

/** A command line read against a command's records: every value checked, nothing looked at yet. */
export interface ParsedCommandLine<R extends OptionRecords> {
  values: OptionValues<R>;
  positionals: string[];
  order: GivenOption[];
  /** `--help` was given: the values are not checked (help is shown whatever else the line holds). */
  help: boolean;
}

/** A command with its option types erased: what `main` dispatches to. */
export interface CliCommand {
  name: string;
  summary: string;
  options: OptionRecords;
  /** The text `--help` prints. */
  helpText(): string;
  /** Parses `argv` against the records, prints help when asked, else runs; resolves to the exit code. */
  execute(argv: string[]): Promise<number>;
}

export function defineCommand<R extends OptionRecords & { help: { type: 'boolean' } }>(command: Command<R>): CliCommand {
  return {
    name: command.name,
    summary: command.summary,
    options: command.options,
    helpText: () => commandHelp(command),
    async execute(argv) {
      const parsed = parseCommandLine(command.name, command.options, argv);
      if (parsed.help) {
        process.stdout.write(`${commandHelp(command)}\n`);
        return 0;
      }
      return command.run(parsed.values, parsed.positionals, parsed.order);
    },
  };
}

/**
 * `argv` → the values a command runs on: parsed by node:util's parseArgs with the schema the records give,
 * then every option with a kind read by it (defaults too), so a bad number is refused here, before any path is
 * looked at or any data read. Usage errors start with the command's name.
 */
export function parseCommandLine<R extends OptionRecords>(commandName: string, records: R, argv: readonly string[]): ParsedCommandLine<R> {
  let parsed;
  try {
    parsed = parseArgs({ args: negativeValuesJoined(argv, records), options: parserOptions(records), allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError(`${commandName}: ${(error as Error).message}`);
  }
  const raw = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const order = parsed.tokens.flatMap((token) => (token.kind === 'option' ? [{ name: token.name, value: token.value }] : []));
  const help = raw.help === true;
  const values: Record<string, unknown> = { ...raw };
  if (!help) {
    for (const [name, record] of Object.entries(records)) {
      const text = raw[name];
      if (record.type !== 'string' || !record.value || text === undefined) continue;
      const where = { command: commandName, option: `--${name}` };
      values[name] = Array.isArray(text) ? text.map((item) => record.value!.read(item, where)) : record.value.read(text as string, where);
    }
  }
  return { values: values as OptionValues<R>, positionals: parsed.positionals, order, help };
}

/** The schema parseArgs takes: the records without what only help and the checks use. */
function parserOptions(records: OptionRecords): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(records).map(([name, record]) => [
      name,
      { type: record.type, ...(record.type === 'string' && record.multiple ? { multiple: true } : {}), ...('default' in record && record.default !== undefined ? { default: record.default } : {}) },
    ]),
  );
}

/**
 * `--tolerance -1` as `--tolerance=-1`: parseArgs calls a value that starts with a dash ambiguous, but a
 * negative number after an option that takes a value is that value (and then checked as a number).
 */
function negativeValuesJoined(argv: readonly string[], records: OptionRecords): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return [...args, ...argv.slice(i)];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : null;
    if (name && Object.hasOwn(records, name) && records[name].type === 'string' && /^-(\d|\.\d)/.test(argv[i + 1] ?? '')) {
      args.push(`${arg}=${argv[++i]}`);
    } else {
      args.push(arg);
    }
  }
  return args;
}

/** One option's line of `--help`: the flag, its help, then its rule and default as the record holds them. */
export function optionHelpLine(name: string, record: OptionRecord): string {
  const flag = `--${name}${record.type === 'string' ? ' <value>' : ''}${record.type === 'string' && record.multiple ? ' (repeatable)' : ''}`;
  const shownDefault = record.type === 'string' && !record.multiple && record.default !== undefined ? record.default : record.defaultText;
  const rule = record.type === 'string' && record.value ? ` [${record.value.rule}]` : '';
  const shown = shownDefault === undefined ? '' : ` [default: ${shownDefault === '' ? '""' : shownDefault}]`;
  return `  ${flag.padEnd(30)} ${record.help}${rule}${shown}`;
}

function commandHelp<R extends OptionRecords>(command: Command<R>): string {
  const lines = [`embedlab ${command.usage}`, '', command.summary, '', 'Options:'];
  for (const [name, record] of Object.entries(command.options)) lines.push(optionHelpLine(name, record));
  return lines.join('\n');
}
