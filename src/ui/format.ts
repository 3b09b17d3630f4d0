/** Number formatting shared by the result views: the UI only formats, it never computes. */
export const metricValue = (v: number | null | undefined, digits = 4) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));
export const signedValue = (v: number, digits = 4) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(digits)}`;
export const relativeChange = (delta: number, base: number) => (base > 0 ? `${delta >= 0 ? '+' : '−'}${Math.abs((100 * delta) / base).toFixed(1)} %` : '—');
export const pValue = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));
export const letter = (index: number) => String.fromCharCode(65 + index);

export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '…';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** A colour per model, distinguishable in light and dark themes (Okabe–Ito, colour-blind safe). */
export const MODEL_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#999999'];
export const modelColour = (index: number) => MODEL_COLOURS[index % MODEL_COLOURS.length];
