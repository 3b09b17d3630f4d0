import type { EvalReport } from './evalReport.ts';
import type { GateVerdict } from './gate.ts';

const xml = (text: string) => text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/**
 * The gate as JUnit XML, the report CI systems show: a test case per gated metric and model, failed where the
 * gate failed; with `perQuery`, also a case per query of each gated metric whose delta is below −tolerance
 * (failed), so a CI view lists the regressed queries.
 */
export function gateJunit(report: EvalReport, verdicts: readonly GateVerdict[], options: { perQuery?: boolean } = {}): string {
  const cases: string[] = [];
  let failures = 0;
  for (const v of verdicts) {
    const name = `${v.metric} of ${v.model} not worse than ${v.baseline} by more than ${v.tolerance}`;
    const failure = v.failed ? `<failure message="${xml(v.line)}" type="regression">${xml(v.line)}</failure>` : '';
    if (v.failed) failures++;
    cases.push(`    <testcase classname="embedlab.gate.${xml(v.model)}" name="${xml(name)}">${failure}</testcase>`);
  }
  if (options.perQuery) {
    for (const v of verdicts) {
      const model = report.models.find((m) => m.name === v.model)!;
      const base = report.models.find((m) => m.name === v.baseline)!;
      for (const [query, value] of Object.entries(model.perQuery[v.metric] ?? {})) {
        const delta = value - base.perQuery[v.metric][query];
        if (!(delta < -v.tolerance)) continue;
        failures++;
        const message = `${v.metric} ${base.perQuery[v.metric][query].toFixed(4)} → ${value.toFixed(4)} (Δ ${delta.toFixed(4)})`;
        cases.push(`    <testcase classname="embedlab.queries.${xml(v.model)}.${xml(v.metric)}" name="${xml(query)}"><failure message="${xml(message)}" type="query-regression">${xml(message)}</failure></testcase>`);
      }
    }
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="embedlab" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="embedlab eval ${xml(report.dataset.name)}" tests="${cases.length}" failures="${failures}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
