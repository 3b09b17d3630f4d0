import { DATA_LIMITS, DataError, describeLimit, excerpt, overlongLineError, type DataIssue } from './dataset.ts';
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
  const known = new Set<string>();
  const objects: { value: Record<string, unknown>; line: number }[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index];
    const line = index + 1;
    // Checked before JSON.parse: a 100 MB line is refused unread, and nesting that would overflow the stack
    // ("Maximum call stack size exceeded") is found by one linear scan.
    if (raw.length > DATA_LIMITS.lineChars) throw overlongLineError(file, line);
    if (raw.trim() === '') continue;
    const scan = scanRecord(raw);
    if (scan.tooDeep) {
      issues.push({ severity: 'error', file, line, column: scan.tooDeep, message: `nested more than ${describeLimit('nesting')} levels deep (the deepest nesting read): expected one flat JSON object per line` });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      issues.push({ severity: 'error', file, line, message: `not valid JSON (${excerpt((error as Error).message, 160)})` });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.push({ severity: 'error', file, line, message: 'expected one JSON object per line' });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (known.has(key)) continue;
      known.add(key);
      header.push(key);
    }
    if (header.length > DATA_LIMITS.columns) {
      throw new DataError({ file, line, message: `the records have ${header.length} different keys by this line, more than the ${describeLimit('columns')} columns a table may have` });
    }
    objects.push({ value: numbersAsWritten(value as Record<string, unknown>, scan.numbers), line });
  }
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
function numbersAsWritten(value: Record<string, unknown>, literals: Map<string, string> | null): Record<string, unknown> {
  if (!literals) return value;
  for (const [key, cell] of Object.entries(value)) {
    if (typeof cell !== 'number') continue;
    const literal = literals.get(key);
    if (literal !== undefined) value[key] = literal;
  }
  return value;
}

const NUMBER_LITERAL = /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/y;

/**
 * One pass over a JSON Lines record, outside strings: the column at which nesting first goes past
 * {@link DATA_LIMITS.nesting} (0: never), and each top-level key's number literal as written (the last one
 * for a repeated key, as JSON.parse keeps). Linear in the line, whatever its keys (a regular expression per
 * key was quadratic).
 */
function scanRecord(raw: string): { tooDeep: number; numbers: Map<string, string> | null } {
  let depth = 0;
  let numbers: Map<string, string> | null = null;
  /** Start of the last string read at depth 1, and where it ended: a key when a ':' follows. */
  let keyStart = -1;
  let keyEnd = -1;
  let afterColon = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < raw.length; i++) {
        const d = raw.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
      if (depth === 1 && !afterColon) {
        keyStart = start;
        keyEnd = i + 1;
      }
      afterColon = false;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > DATA_LIMITS.nesting) return { tooDeep: i + 1, numbers };
      afterColon = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
      afterColon = false;
    } else if (c === 0x3a /* : */) {
      afterColon = depth === 1 && keyEnd > 0;
    } else if (afterColon && (c === 0x2d || (c >= 0x30 && c <= 0x39))) {
      NUMBER_LITERAL.lastIndex = i;
      const literal = NUMBER_LITERAL.exec(raw)?.[0];
      if (literal) {
        try {
          (numbers ??= new Map()).set(JSON.parse(raw.slice(keyStart, keyEnd)) as string, literal);
        } catch {
          // not a well-formed key: JSON.parse reports the line
        }
        i += literal.length - 1;
      }
      afterColon = false;
    } else if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) {
      afterColon = false;
    }
  }
  return { tooDeep: 0, numbers };
}
