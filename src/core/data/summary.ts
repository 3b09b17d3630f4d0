import type { ColumnMapping } from './columns.ts';
import type { DataIssue } from './dataset.ts';
import { hygieneChecks, type HygieneCheck } from './hygiene.ts';
import { countJudgments } from './judgments.ts';
import type { DatasetFormat, LoadResult } from './loadDataset.ts';

/** What a person checks before spending minutes encoding: small enough to send anywhere. */
export interface DatasetSummary {
  usable: boolean;
  name: string | null;
  format: DatasetFormat | null;
  /** How it was read, e.g. "pairs (one row per query and relevant document)". */
  description: string | null;
  mapping: ColumnMapping | null;
  columns: string[];
  splits: string[];
  labelColumn: string | null;
  counts: {
    rows: number | null;
    /** Rows repeating an earlier (query, document) pair, merged: pairs and triplets files only. */
    repeatedRows: number;
    queries: number;
    documents: number;
    judgments: number;
    relevantJudgments: number;
    labels: number;
    triplets: number;
  } | null;
  issues: DataIssue[];
  /** Hygiene checks of a usable dataset (empty otherwise): counts and examples, shown before any metric. */
  hygiene: HygieneCheck[];
}

export function summarizeLoad(result: LoadResult): DatasetSummary {
  const dataset = result.dataset;
  const { judgments, relevant } = dataset ? countJudgments(dataset.judgments) : { judgments: 0, relevant: 0 };
  const labels = new Set<string>();
  for (const table of dataset ? [dataset.documents, dataset.queries] : []) {
    for (let row = 0; row < table.length; row++) {
      const label = table.label(row);
      if (label) labels.add(label);
    }
  }
  return {
    usable: dataset !== null,
    name: dataset?.name ?? null,
    format: result.format,
    description: dataset?.format ?? null,
    mapping: result.mapping,
    columns: result.columns,
    splits: result.splits,
    labelColumn: dataset?.labelColumn ?? null,
    counts: dataset
      ? {
          rows: dataset.rowCount ?? null,
          repeatedRows: dataset.repeatedRows ?? 0,
          queries: dataset.queries.length,
          documents: dataset.documents.length,
          judgments,
          relevantJudgments: relevant,
          labels: labels.size,
          triplets: dataset.triplets?.length ?? 0,
        }
      : null,
    issues: result.issues,
    hygiene: dataset ? hygieneChecks(dataset) : [],
  };
}
