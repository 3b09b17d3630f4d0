/** Number formatting shared by the result views: the UI only formats, it never computes. */
export const letter = (index: number) => String.fromCharCode(65 + index);
/** A value to `digits` decimals, negative ones with a true minus sign (as the deltas beside them have). */
export const metricValue = (v: number | null | undefined, digits = 4) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits).replace(/^-/, '−'));
/** A signed change; one that rounds to zero at `digits` is a plain 0 (no "−0.0000" for −1e-17). */
export function signedValue(v: number, digits = 4): string {
  const shown = Math.abs(v).toFixed(digits);
  if (Number(shown) === 0) return '0';
  return `${v > 0 ? '+' : '−'}${shown}`;
}
/** A change relative to `base`, in percent; one that rounds to 0.0 % is "0 %". */
export function relativeChange(delta: number, base: number): string {
  if (!(base > 0)) return '—';
  const shown = Math.abs((100 * delta) / base).toFixed(1);
  if (Number(shown) === 0) return '0 %';
  return `${delta > 0 ? '+' : '−'}${shown} %`;
}
/** "1 text", "2 texts": a count with its noun in the right number (`plural` when it is not `singular` + s). */
export const count = (n: number, singular: string, plural = `${singular}s`) => `${n} ${n === 1 ? singular : plural}`;
/**
 * A model as a list or header shows it, its slot letter first — once: a name the report already prefixed
 * with the letter (two slots with the same model are "A: m" and "C: m") is not written "A A: m".
 */
export function modelLabel(index: number, name: string): string {
  return name.startsWith(`${letter(index)}: `) ? name : `${letter(index)} ${name}`;
}
export const pValue = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));

/** Time in words ("3 min 05 s"), the one formatter the CLI's progress line uses too. */
export { duration } from '../core/report/duration.ts';

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** A colour per model, distinguishable in light and dark themes (Okabe–Ito, colour-blind safe). */
const MODEL_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#999999'];
export const modelColour = (index: number) => MODEL_COLOURS[index % MODEL_COLOURS.length];
