import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';

/**
 * A stratified sample of a `Question,Answer,Class` pairs file: every `every`-th distinct question of each
 * class (counted from `phase`), with all of its rows (so each kept query keeps all its relevant answers), written to a temporary
 * CSV named after the source. Every class of the source is kept; the rows stay in the source's order.
 */
export function writePairsSample(source: string, every: number, phase = 0): { file: string; rows: number; queries: number; classes: number } {
  const { data, meta, errors } = Papa.parse<Record<string, string>>(readFileSync(source, 'utf8'), { header: true, skipEmptyLines: true });
  if (errors.length) throw new Error(`${source}: line ${(errors[0].row ?? 0) + 2}: ${errors[0].message}`);
  const seenInClass = new Map<string, number>();
  const kept = new Set<string>();
  const queryIndex = new Set<string>();
  for (const row of data) {
    if (queryIndex.has(row.Question)) continue;
    queryIndex.add(row.Question);
    const index = seenInClass.get(row.Class) ?? 0;
    seenInClass.set(row.Class, index + 1);
    if (index % every === phase) kept.add(row.Question);
  }
  const rows = data.filter((row) => kept.has(row.Question));
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'embedlab-sample-')), path.basename(source));
  writeFileSync(file, Papa.unparse(rows, { columns: meta.fields }));
  return { file, rows: rows.length, queries: kept.size, classes: new Set(rows.map((row) => row.Class)).size };
}
