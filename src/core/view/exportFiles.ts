import { strToU8, zipSync } from 'fflate';
import { reportExamples } from '../report/examples.ts';
import { reportJson, withTopLists, type EvalReport } from '../report/evalReport.ts';
import { perQueryCsv, trecRun } from '../report/exports.ts';
import { renderMarkdown } from '../report/markdown.ts';
import type { Comparison } from '../eval/compare.ts';
import { documentIdOf } from '../data/rankings.ts';

export type ExportFile = { name: string; mime: string } & ({ text: string } | { bytes: Uint8Array });

/** `trec`: one run file per checkpoint (the CLI's `--runs DIR`); `trec-zip`: the same files in one zip (the page's download). */
export type ExportKind = 'markdown' | 'json' | 'csv' | 'trec' | 'trec-zip';

/**
 * A comparison as files: Markdown (with per-query examples), JSON (the CLI's `--json` document), per-query
 * CSV, and one TREC run per checkpoint, or all of them as one zip.
 */
export function exportFiles(comparison: Comparison, kind: ExportKind): ExportFile[] {
  const { dataset } = comparison;
  const base = safeName(dataset.name);
  if (kind === 'json') return [{ name: `${base}-report.json`, mime: 'application/json', text: reportJson(completeReport(comparison)) }];
  if (kind === 'csv') {
    const queries = new Map(Array.from(dataset.queries, (q) => [q.id, q]));
    return [{ name: `${base}-per-query.csv`, mime: 'text/csv', text: perQueryCsv(comparison.report, queries) }];
  }
  if (kind === 'trec-zip') {
    const runs = exportFiles(comparison, 'trec') as { name: string; text: string }[];
    // Run files are text that compresses ~5x; a browser downloads one file per click without asking.
    const bytes = zipSync(Object.fromEntries(runs.map((run) => [run.name, strToU8(run.text)])), { level: 6 });
    return [{ name: `${base}-runs.zip`, mime: 'application/zip', bytes }];
  }
  if (kind === 'trec') {
    return comparison.checkpoints.map((c) => ({
      name: `${base}-${safeName(c.name)}.run`,
      mime: 'text/plain',
      text: trecRun(c.order, (row) => dataset.queries.id(row), (row) => documentIdOf(dataset.documents, c.rankings, row), c.name),
    }));
  }
  const report = completeReport(comparison);
  return [{ name: `${base}-report.md`, mime: 'text/markdown', text: renderMarkdown(report, reportExamples(report, dataset)) }];
}

/**
 * The report with its top lists, which the JSON and the Markdown's examples read: the page's comparison is
 * built without them (it never draws them), so they are built here, from its rankings, only when exported.
 */
function completeReport(comparison: Comparison): EvalReport {
  return comparison.topLists ? comparison.report : withTopLists(comparison.report, comparison.checkpoints, comparison.dataset);
}

function safeName(name: string): string {
  return name.replace(/[^\w.-]+/g, '_');
}
