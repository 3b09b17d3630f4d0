import { UsageError } from './cliError.ts';

/**
 * How an option's text becomes the value a command uses: the kinds an option record names (`value:
 * whole(10_000, 10_000_000)`). Each kind is both the check and the words `--help` prints for it, so the
 * bounds shown and the bounds enforced are one record. A value that breaks the rule is a usage error (exit 2)
 * naming the command, the option, the rule and the value given — never `Number()`'s NaN, Infinity or a
 * silently empty list.
 */
export interface ValueKind<T> {
  /** The rule as `--help` shows it, e.g. "a whole number from 0 to 4294967295". */
  readonly rule: string;
  /** The value of `text`, or a {@link UsageError} that starts with `command: option`. */
  read(text: string, where: OptionPlace): T;
}

/** The option a value was given for, as messages name it: `eval`, `--seed`. */
export interface OptionPlace {
  command: string;
  option: string;
}

/** A kind whose bounds are data (tests read them to check that help and refusal agree). */
export interface BoundedKind<T> extends ValueKind<T> {
  readonly min: number;
  readonly max: number;
}

/** A whole number written in digits within [min, max] ("1e12" and "10.5" are refused, not rounded). */
export function whole(min: number, max: number): BoundedKind<number> & { kind: 'whole' } {
  return {
    kind: 'whole',
    min,
    max,
    rule: `a whole number from ${min} to ${max}`,
    read(text, { command, option }) {
      const n = /^\+?\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw new UsageError(`${command}: ${option} must be a whole number from ${min} to ${max}, got "${text}"`);
      }
      return n;
    },
  };
}

/**
 * A decimal number ≥ 0, and ≤ `max` when one is given ("-1" is the number it is: refused as negative, not as
 * text).
 */
export function decimal(max: number = Infinity): BoundedKind<number> & { kind: 'decimal' } {
  return {
    kind: 'decimal',
    min: 0,
    max,
    rule: max === Infinity ? 'a number ≥ 0' : `a number from 0 to ${max}`,
    read(text, { command, option }) {
      const n = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text) ? Number(text) : NaN;
      if (!Number.isFinite(n)) throw new UsageError(`${command}: ${option} must be a number ≥ 0, got "${text}"`);
      if (n < 0) throw new UsageError(`${command}: ${option} must be ≥ 0, got ${text.trim()}`);
      if (n > max) throw new UsageError(`${command}: ${option} must be between 0 and ${max}, got ${n}`);
      return n;
    },
  };
}

/** A comma-separated list with no empty item ("ndcg@10," and "" are refused, not read as fewer items). */
export function commaList(): ValueKind<string[]> {
  return { rule: 'a comma-separated list', read: commaItems };
}

/** A comma-separated list of whole numbers ≥ 1 (cutoffs such as `--k 1,3,5,10`). */
export function positiveWholeList(): ValueKind<number[]> {
  return {
    rule: 'comma-separated whole numbers ≥ 1',
    read(text, where) {
      const numbers = commaItems(text, where).map((item) => Number(item));
      if (numbers.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`${where.command}: ${where.option} must list positive integers, got "${text}"`);
      return numbers;
    },
  };
}

/** One of a fixed set of words (`--weights auto|safetensors|onnx`); the value's type is their union. */
export function choice<const C extends string>(choices: readonly C[]): ValueKind<C> & { choices: readonly C[] } {
  // Two read as "a or b", more as "one of a, b, c": the wording the messages had before they shared a kind.
  const listed = choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `one of ${choices.join(', ')}`;
  return {
    choices,
    rule: choices.join(' | '),
    read(text, { command, option }) {
      if (!(choices as readonly string[]).includes(text)) throw new UsageError(`${command}: ${option} must be ${listed}, got "${text}"`);
      return text as C;
    },
  };
}

function commaItems(value: string, { command, option }: OptionPlace): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (value.trim() === '') throw new UsageError(`${command}: ${option} is empty: list one or more items, separated by commas`);
  const empty = items.indexOf('');
  if (empty >= 0) throw new UsageError(`${command}: ${option} "${value}" has an empty item (item ${empty + 1}): list items separated by single commas, with none after the last`);
  return items;
}
