import { metricCurves } from '../report/metricCurves.ts';
import type { Slice } from '../report/slices.ts';
import type { CheckpointKind, EvalReport } from '../report/evalReport.ts';
import type { MetricName } from '../metrics/registry.ts';
import type { Comparison } from '../eval/compare.ts';

/** Query texts in the list view are cut to this many characters (the detail view has them whole). */
const TEXT_PREVIEW = 300;

/** How one checkpoint's run went, for the page's run summary. */
export interface CheckpointRunInfo {
  slot: string | null;
  name: string;
  kind: CheckpointKind;
  /** Where it came from: a path, a hub id, `bm25 (lucene, k1 1.5, b 0.75)`, `fusion:rrf@60:A,B`. */
  source: string;
  backend: string;
  rankedOn: string;
  depth: number;
  encoded: number;
  cached: number;
  encodeSeconds: number;
  notes: string[];
}

/** Everything the page draws after a run: small enough to clone (no vectors, no corpus). */
export interface LabView {
  report: EvalReport;
  models: CheckpointRunInfo[];
  /** Per model: each metric at k = 1…100. */
  curves: Record<MetricName, number[]>[];
  slices: Slice[];
  /** Why there are no slices (or only one), said where the table would be; null when there are. */
  slicesNote: string | null;
  /** The evaluated queries, texts cut to {@link TEXT_PREVIEW} characters. */
  queries: { id: string; text: string; label?: string }[];
}

/** The page's view of a comparison: the report plus what its charts and lists need, ids and texts resolved. */
export function labView(comparison: Comparison): LabView {
  const { dataset, report, checkpoints } = comparison;
  const evaluated = checkpoints[0]?.evaluation.queryRows ?? new Int32Array(0);
  // No findings here: the page words them against the baseline the user picks (`findings(report, baseline)`).
  return {
    report: pageReport(report),
    models: checkpoints.map((c) => ({
      slot: c.slot ?? null,
      name: c.name,
      kind: c.kind,
      source: c.source,
      backend: c.backend,
      rankedOn: c.rankedOn,
      depth: c.depth,
      encoded: c.encoded,
      cached: c.cached,
      encodeSeconds: c.seconds,
      notes: [...c.notes],
    })),
    curves: checkpoints.map((c) => metricCurves(c.judged)),
    slices: report.slices?.byLabel ?? [],
    slicesNote: report.slices?.note ?? null,
    queries: Array.from(evaluated, (row) => {
      const { id, text, label } = dataset.queries.record(row);
      return { id, text: text.length > TEXT_PREVIEW ? `${text.slice(0, TEXT_PREVIEW)}…` : text, ...(label ? { label } : {}) };
    }),
  };
}

/**
 * The report without the fingerprint's per-item hashes (12 bytes a document), which the page never draws
 * and which grow with the data; the JSON export keeps them. The top lists are not built for the page at all
 * (`topLists: false`): a query's lists come from `queryDetail` when it is opened.
 */
function pageReport(report: EvalReport): EvalReport {
  const { fingerprint, ...dataset } = report.dataset;
  return { ...report, dataset };
}
