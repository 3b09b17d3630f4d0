import { UsageError } from './cliError.ts';

/**
 * Option values as the numbers and lists they must be, checked before anything is read: a usage error
 * (exit 2) that names the option, the rule and the value given, instead of `Number()`'s NaN, Infinity or
 * a silently empty list.
 */

/** A whole number written in digits within [min, max] ("1e12" and "10.5" are refused, not rounded). */
export function wholeNumber(command: string, option: string, value: string, min: number, max: number): number {
  const n = /^\+?\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${command}: ${option} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/** A decimal number ≥ 0 ("-1" is the number it is: refused as negative). */
export function nonNegativeNumber(command: string, option: string, value: string): number {
  const n = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`${command}: ${option} must be a number ≥ 0, got "${value}"`);
  if (n < 0) throw new UsageError(`${command}: ${option} must be ≥ 0, got ${value.trim()}`);
  return n;
}

/** A comma-separated list with no empty item ("ndcg@10," and "" are refused, not read as fewer items). */
export function commaList(command: string, option: string, value: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (value.trim() === '') throw new UsageError(`${command}: ${option} is empty: list one or more items, separated by commas`);
  const empty = items.indexOf('');
  if (empty >= 0) throw new UsageError(`${command}: ${option} "${value}" has an empty item (item ${empty + 1}): list items separated by single commas, with none after the last`);
  return items;
}
