import { readZip } from './zipArchive.ts';
import { columnsByName, detectPairColumns, type ColumnMapping } from './columns.ts';
import { DataError, excerpt, listColumns, type DataIssue, type Dataset } from './dataset.ts';
import { decodeText } from './decodeText.ts';
import { buildPairsDataset, PairsBuilder } from './pairs.ts';
import type { StreamHandOver } from './streamTable.ts';
import { parseJsonLines } from './records.ts';
import { parseTable, type Table } from './table.ts';
import { buildThreeTablesDataset, type UnknownIdPolicy } from './threeTables.ts';

/** A dropped or named file: path relative to what was dropped (`/`-separated), and its bytes. */
export interface InputFile {
  path: string;
  bytes: Uint8Array;
}

export type DatasetFormat = 'pairs' | 'triplets' | 'three-tables' | 'beir';

export interface LoadOptions {
  /** Column roles for a pairs/triplets file, overriding detection. */
  mapping?: ColumnMapping;
  /** qrels split of a BEIR folder (default `test`, else the only one). */
  split?: string;
  unknownIds?: UnknownIdPolicy;
  /** The label column of a pairs/triplets file, keeping the detected query and document columns. */
  labelColumn?: string;
}

export interface LoadResult {
  /** Null when any issue is an error: errors block, warnings do not. */
  dataset: Dataset | null;
  format: DatasetFormat | null;
  /** The column mapping used for a single pairs/triplets table (detected or given). */
  mapping: ColumnMapping | null;
  /** Header of that table, for the mapping editor. */
  columns: string[];
  /** BEIR splits found. */
  splits: string[];
  issues: DataIssue[];
}

/** Texts read at once; larger files must be streamed (see the worker's streaming parser). */
export const MAX_FILE_BYTES = 400 * 1024 * 1024;

/**
 * What a dataset is called: the folder (or zip) it came in, else its one file's name, else what several
 * loose files share in their names ("scifact-corpus.csv", "scifact-queries.csv" → "scifact"), else their
 * names. The user can rename it in the page.
 */
export function datasetName(files: readonly { path: string }[]): string {
  const strip = (name: string) => name.replace(/\.(zip|csv|tsv|jsonl?|txt)$/i, '');
  const first = files[0]?.path ?? 'dataset';
  if (first.includes('/')) return first.split('/')[0];
  if (files.length === 1) return strip(first);
  const names = files.map((f) => strip(f.path));
  let shared = names[0];
  for (const name of names) while (!name.startsWith(shared)) shared = shared.slice(0, -1);
  shared = shared.replace(/[\s._-]+$/, '');
  return shared.length >= 3 ? shared : names.slice(0, 3).join(' + ') + (names.length > 3 ? ' + …' : '');
}

/**
 * Turns whatever the user dropped into one Dataset: a pairs or triplets file (CSV, TSV or JSONL), three
 * tables (corpus, queries, qrels), or a BEIR folder — or a zip of any of these. Never throws for bad input:
 * every problem comes back as an issue with file, line and column.
 */
export function loadDataset(input: readonly InputFile[], options: LoadOptions = {}): LoadResult {
  const result = emptyResult();
  try {
    const files = stripCommonFolder(expandZips(input));
    if (files.length === 0) throw new DataError({ file: input[0]?.path ?? '(nothing)', message: 'no files to read' });
    for (const file of files) {
      if (file.bytes.length > MAX_FILE_BYTES) {
        throw new DataError({
          file: file.path,
          message: `${(file.bytes.length / 2 ** 20).toFixed(0)} MB is more than the ${MAX_FILE_BYTES / 2 ** 20} MB read at once; a single CSV/TSV file of any size is streamed instead`,
        });
      }
    }
    const name = datasetName(input);
    const byName = (pattern: RegExp) => files.filter((f) => pattern.test(f.path.toLowerCase()));

    const beirCorpus = byName(/(^|\/)corpus\.jsonl$/);
    const beirQueries = byName(/(^|\/)queries\.jsonl$/);
    const beirQrels = byName(/(^|\/)qrels\/[^/]+\.tsv$/);
    // A BEIR folder with a part missing is named as one, with the missing file, not as unknown input.
    if (beirCorpus.length === 1 && (beirQueries.length === 0 || beirQrels.length === 0) && files.every((f) => /(^|\/)(corpus|queries)\.jsonl$|(^|\/)qrels\//i.test(f.path))) {
      const folder = beirCorpus[0].path.replace(/corpus\.jsonl$/i, '');
      throw new DataError({
        file: beirQueries.length === 0 ? `${folder}queries.jsonl` : `${folder}qrels/`,
        message: beirQueries.length === 0 ? 'is missing: a BEIR folder needs corpus.jsonl, queries.jsonl and qrels/<split>.tsv' : 'holds no <split>.tsv (test.tsv, dev.tsv, …): a BEIR folder needs its judgments there',
      });
    }
    if (beirCorpus.length === 1 && beirQueries.length === 1 && beirQrels.length) {
      result.format = 'beir';
      result.splits = beirQrels.map((f) => f.path.split('/').pop()!.replace(/\.tsv$/i, '')).sort();
      const split = options.split ?? (result.splits.includes('test') ? 'test' : result.splits[0]);
      const qrelsFile = beirQrels.find((f) => f.path.toLowerCase().endsWith(`/${split.toLowerCase()}.tsv`));
      if (!qrelsFile) throw new DataError({ file: 'qrels/', message: `no split "${split}" (found ${result.splits.join(', ')})` });
      const tables = { corpus: readTable(beirCorpus[0], result.issues), queries: readTable(beirQueries[0], result.issues), qrels: readTable(qrelsFile, result.issues) };
      if (hasErrors(result.issues)) return result;
      const built = buildThreeTablesDataset(tables, name, `BEIR folder (split ${split}; document text = title + " " + text)`, options.unknownIds);
      return finish(result, built);
    }

    if (files.length === 3) {
      const corpus = byName(/corpus|collection|documents|docs/);
      const queries = byName(/quer|topics|questions/);
      const qrels = byName(/qrel|judg|relevance|labels/);
      if (corpus.length === 1 && queries.length === 1 && qrels.length === 1 && new Set([corpus[0], queries[0], qrels[0]]).size === 3) {
        result.format = 'three-tables';
        const tables = { corpus: readTable(corpus[0], result.issues), queries: readTable(queries[0], result.issues), qrels: readTable(qrels[0], result.issues) };
        if (hasErrors(result.issues)) return result;
        const built = buildThreeTablesDataset(tables, name, 'three tables (corpus, queries, qrels)', options.unknownIds);
        return finish(result, built);
      }
    }

    if (files.length !== 1) {
      throw new DataError({
        file: files.map((f) => f.path).join(', '),
        message: 'expected one pairs or triplets file, three tables named corpus / queries / qrels, or a BEIR folder',
      });
    }
    return datasetFromTable(readTable(files[0], result.issues), result, options, name);
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    result.issues.push({ severity: 'error', ...error.issue });
    result.dataset = null;
    return result;
  } finally {
    releaseLastMatch();
  }
}

/**
 * V8 keeps the subject of the last regular-expression match alive (the legacy `RegExp.lastMatch`), and after
 * a file is parsed that subject is a cell whose parent string is the whole decoded file: one more copy of
 * the text, held until some other regular expression runs. A throwaway match lets it go now.
 */
function releaseLastMatch(): void {
  /(?:)/.exec('');
}

/** A pairs/triplets table's column mapping, checked against its header, with the warnings it deserves. */
interface SettledMapping {
  header: string[];
  mapping: ColumnMapping;
  warnings: DataIssue[];
}

/**
 * Checks a column mapping (detected on a table or its first rows, or the user's): every mapped column exists
 * and queries and documents are known. Throws {@link DataError} otherwise; warns of ambiguous detections.
 */
function settleMapping(table: Table, mapping: ColumnMapping, detected: boolean): SettledMapping {
  const names = new Set(table.header);
  for (const [role, column] of Object.entries(mapping)) {
    if (!names.has(column!)) throw new DataError({ file: table.file, line: 1, message: `the ${role} column "${excerpt(column!, 40)}" is not in the header (${listColumns(table.header)})` });
  }
  if (!mapping.query || !mapping.document) {
    throw new DataError({
      file: table.file,
      line: 1,
      message: `cannot tell which columns hold the ${!mapping.query ? 'queries' : 'documents'} (header: ${listColumns(table.header)}): set the column mapping`,
    });
  }
  return { header: table.header, mapping, warnings: detected ? ambiguities(table, mapping) : [] };
}

function withLabelColumn(mapping: ColumnMapping, labelColumn: string | undefined): ColumnMapping {
  return labelColumn === undefined ? mapping : { ...mapping, label: labelColumn };
}

/** Records a settled mapping in the result and finishes it with the built dataset. */
function finishPairs(result: LoadResult, settled: SettledMapping, built: { dataset: Dataset; issues: DataIssue[] }): LoadResult {
  result.columns = settled.header;
  result.mapping = settled.mapping;
  result.issues.push(...settled.warnings);
  result.format = settled.mapping.negative ? 'triplets' : 'pairs';
  return finish(result, built);
}

/**
 * A single pairs or triplets table (read whole) → LoadResult: detects or applies the column mapping and
 * builds the dataset. Throws {@link DataError} for what makes it unusable.
 */
function datasetFromTable(table: Table, result: LoadResult, options: LoadOptions, name: string): LoadResult {
  if (hasErrors(result.issues)) return result;
  // Header and mapping go into the result first: when the mapping fails, the user fixes it from them.
  result.columns = table.header;
  result.mapping = options.mapping ?? withLabelColumn(detectPairColumns(table), options.labelColumn);
  const settled = settleMapping(table, result.mapping, !options.mapping);
  return finishPairs(result, settled, buildPairsDataset(table, settled.mapping, name));
}

/** Roles that more than one column could fill by name: the detection picked one, the user should know. */
function ambiguities(table: Table, mapping: ColumnMapping): DataIssue[] {
  const roles = [['query', 'queries'], ['document', 'documents'], ['label', 'labels']] as const;
  return roles.flatMap(([role, plural]) => {
    const candidates = columnsByName(table, role).filter((c, i, all) => all.indexOf(c) === i);
    if (candidates.length < 2 || !mapping[role]) return [];
    return [
      {
        severity: 'warning' as const,
        file: table.file,
        line: 1,
        message: `${candidates.map((c) => `"${excerpt(c, 40)}"`).join(' and ')} could all hold the ${plural}; using "${excerpt(mapping[role]!, 40)}" (change it in the column mapping)`,
      },
    ];
  });
}

/** Rows a streamed table holds before its columns are settled and rows go straight into the dataset. */
export const STREAM_SAMPLE_ROWS = 5000;

/**
 * A single streamed pairs/triplets table → LoadResult, with the same checks and messages as
 * {@link loadDataset}. After {@link STREAM_SAMPLE_ROWS} rows the column mapping is settled on them and every
 * further row goes straight into the dataset builder: memory follows the distinct texts, not the file.
 */
export async function loadStreamedTable(
  read: (handOver: StreamHandOver) => Promise<{ table: Table; issues: DataIssue[] }>,
  name: string,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const result = emptyResult();
  let streamed: { settled: SettledMapping; builder: PairsBuilder } | null = null;
  const handOver: StreamHandOver = {
    sampleRows: STREAM_SAMPLE_ROWS,
    onSample(sample) {
      let settled: SettledMapping;
      try {
        settled = settleMapping(sample, options.mapping ?? withLabelColumn(detectPairColumns(sample), options.labelColumn), !options.mapping);
      } catch {
        return null; // the whole file is held and judged at the end, like a small one, with the same error
      }
      const builder = new PairsBuilder(sample.file, sample.header, settled.mapping, name);
      streamed = { settled, builder };
      return (cells, line) => builder.add(cells, line);
    },
  };
  try {
    const { table, issues } = await read(handOver);
    result.issues.push(...issues);
    const handedOver = streamed as { settled: SettledMapping; builder: PairsBuilder } | null;
    if (!handedOver) return datasetFromTable(table, result, options, name);
    if (hasErrors(result.issues)) return result;
    return finishPairs(result, handedOver.settled, handedOver.builder.finish());
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    result.issues.push({ severity: 'error', ...error.issue });
    return result;
  }
}

function emptyResult(): LoadResult {
  return { dataset: null, format: null, mapping: null, columns: [], splits: [], issues: [] };
}

function finish(result: LoadResult, built: { dataset: Dataset; issues: DataIssue[] }): LoadResult {
  result.issues.push(...built.issues);
  if (hasErrors(result.issues)) return result;
  if (built.dataset.judgments.queries.length === 0) {
    result.issues.push({ severity: 'error', file: built.dataset.name, message: 'no (query, relevant document) pair left to evaluate' });
    return result;
  }
  built.dataset.warnings = result.issues.filter((i) => i.severity === 'warning');
  result.dataset = built.dataset;
  return result;
}

function hasErrors(issues: DataIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

/** CSV/TSV or JSON Lines, by extension and, failing that, by content (a first line starting with `{`). */
function readTable(file: InputFile, issues: DataIssue[]): Table {
  const text = decodeText(file.bytes, file.path);
  const jsonl = /\.jsonl?$/i.test(file.path) || (!/\.(csv|tsv|txt)$/i.test(file.path) && text.trimStart().startsWith('{'));
  const parsed = jsonl ? parseJsonLines(text, file.path) : parseTable(text, file.path);
  issues.push(...parsed.issues);
  return parsed.table;
}

function expandZips(files: readonly InputFile[]): InputFile[] {
  return files.flatMap((file) => {
    if (!/\.zip$/i.test(file.path)) return [file];
    return readZip(file.bytes, file.path, MAX_FILE_BYTES);
  });
}

/** `scifact/corpus.jsonl` → `corpus.jsonl` when every file sits in the same top folder. */
function stripCommonFolder(files: InputFile[]): InputFile[] {
  const tops = new Set(files.map((f) => (f.path.includes('/') ? f.path.split('/')[0] : '')));
  if (tops.size !== 1 || tops.has('') || files.length < 2) return files;
  const [top] = tops;
  return files.map((f) => ({ ...f, path: f.path.slice(top.length + 1) }));
}

