import { DataError, type DataIssue } from './dataset.ts';
import type { Table } from './table.ts';

/**
 * Reads JSON Lines (one object per line) as a table: the header is every key in order of first
 * appearance, numbers become text — exactly as written, so an id 12345678901234567890 or 1.0 is not
 * rounded or shortened by the trip through a double — and a missing key is an empty cell. Lets every format
 * also come as JSONL.
 */
export function parseJsonLines(source: string, file: string): { table: Table; issues: DataIssue[] } {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const issues: DataIssue[] = [];
  const header: string[] = [];
  const objects: { value: Record<string, unknown>; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      issues.push({ severity: 'error', file, line, message: `not valid JSON (${(error as Error).message})` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.push({ severity: 'error', file, line, message: 'expected one JSON object per line' });
      return;
    }
    for (const key of Object.keys(value)) if (!header.includes(key)) header.push(key);
    objects.push({ value: numbersAsWritten(value as Record<string, unknown>, raw), line });
  });
  if (objects.length === 0 && issues.length === 0) throw new DataError({ file, message: 'the file has no records' });
  const rows = objects.map(({ value }) =>
    header.map((key) => {
      const cell = value[key];
      if (cell === undefined || cell === null) return '';
      if (typeof cell === 'string') return cell;
      if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
      // Nested values (BEIR's "metadata") are kept as JSON text; no role reads them unless mapped to one.
      return JSON.stringify(cell);
    }),
  );
  return { table: { file, header, rows, lines: objects.map((o) => o.line), delimiter: 'jsonl' }, issues };
}

/** Top-level number values replaced by their literal text from the line (JSON.parse keeps only a double). */
function numbersAsWritten(value: Record<string, unknown>, raw: string): Record<string, unknown> {
  for (const [key, cell] of Object.entries(value)) {
    if (typeof cell !== 'number') continue;
    const name = JSON.stringify(key).slice(1, -1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const literal = new RegExp(`"${name}"\\s*:\\s*(-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)`).exec(raw)?.[1];
    if (literal !== undefined) value[key] = literal;
  }
  return value;
}
