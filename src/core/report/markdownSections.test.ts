import { describe, expect, it } from 'vitest';
import { modelDiagnostics, withDiagnostics } from '../../../tests/fixtures/diagnosticsCase.ts';
import { labelledDataset, modelRun, syntheticReport } from '../../../tests/fixtures/reportCase.ts';
import { TextCollection } from '../data/textCollection.ts';
import { buildEvalReport } from './evalReport.ts';
import { reportExamples } from './examples.ts';
import { renderMarkdown } from './markdown.ts';
import { judgmentsById, judgmentsOf } from '../../../tests/fixtures/judgments.ts';

/** The Markdown's section that starts with `heading`, up to the next heading of the same level or above. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`${heading}\n`);
  expect(start, `no "${heading}" section`).toBeGreaterThanOrEqual(0);
  const level = heading.match(/^#+/)![0].length;
  const rest = markdown.slice(start + heading.length + 1);
  const end = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return end < 0 ? rest : rest.slice(0, end);
}

describe('the Markdown report’s slices, diagnostics and examples', () => {
  it('has the slices table on the headline metric, each label with its queries, values and Δ', () => {
    const { report } = syntheticReport();
    const slices = section(renderMarkdown(report), '## Slices by label');
    expect(slices).toContain('| label | queries | base | tuned | Δ tuned − base |');
    // cards: q1, q3, q5 lose (0.45, 0.35, 0.25), 15 gain to 0.8, two stay at 0.5.
    const cards = (0.45 + 0.35 + 0.25 + 15 * 0.8 + 2 * 0.5) / 20;
    expect(slices).toContain(`| cards | 20 | 0.5000 | ${cards.toFixed(4)} | +${(cards - 0.5).toFixed(4)} |`);
    expect(slices).toMatch(/\| loans \| 20 \| 0\.5000 \|/);
  });

  it('says why there are no slices when the data has no labels', () => {
    const dataset = labelledDataset();
    dataset.queries = TextCollection.fromRecords(Array.from(dataset.queries, ({ id, text }) => ({ id, text })));
    const runs = [modelRun('base', () => ({ ndcg: 0.5, recall: 0 }), () => 4), modelRun('tuned', () => ({ ndcg: 0.6, recall: 0 }), () => 1)];
    const report = buildEvalReport({ dataset, runs, metricKeys: ['recall@1', 'ndcg@10'], mode: 'sentence-transformers', stats: { permutations: 10_000, resamples: 200, seed: 1 } });
    const slices = section(renderMarkdown(report), '## Slices by label');
    expect(slices.trim()).toMatch(/^No slices: neither the queries nor the documents carry a label\. A column named label, class, category, domain, topic or intent/);
    expect(slices).not.toContain('| label |');
  });

  it('shows per-label silhouette and NC@10 with deltas, the hard-negative AUC’s reading under the table, and each reading once', () => {
    const { report } = syntheticReport();
    const tuned = modelDiagnostics({ 'neighborCoherence@10': 0.7, hardNegativeRocAuc: 0.42 }, { silhouette: { cards: 0.3, loans: 0.1 }, coherence: { cards: 0.7, loans: 0.7 } });
    const withDiag = withDiagnostics(report, [modelDiagnostics(), tuned]);
    const markdown = renderMarkdown(withDiag);
    const diagnostics = section(markdown, '## Diagnostics');
    expect(diagnostics).toMatch(/\| Hard-negative ROC-AUC \(top 100\) ² \| 0\.4000 \| 0\.4200 \| \+0\.0200 better \|/);
    expect(diagnostics).toContain("\n² Hard-negative ROC-AUC (top 100): the chance that a relevant document outscores a non-relevant one from a query's top 100, all queries pooled: those negatives are the highest-scoring documents the model found, so under 0.5 is normal even for a good model — compare models on it, not with 0.5.\n");
    const perLabel = section(markdown, '### Per label');
    expect(perLabel).toContain('| label | silhouette base | silhouette tuned | Δ tuned − base | NC@10 base | NC@10 tuned | Δ tuned − base |');
    expect(perLabel).toContain('| cards | 0.250 | 0.300 | +0.0500 | 0.650 | 0.700 | +0.0500 |');
    expect(perLabel).toContain('| loans | 0.150 | 0.100 | −0.0500 | 0.550 | 0.700 | +0.1500 |');
    for (const reading of withDiag.comparisons[0].diagnostics!.reading) expect(markdown.split(reading).length - 1, reading).toBe(1);
    expect(section(markdown, '## Summary')).toMatch(/Against base's embeddings, tuned's are better on neighbour coherence NC@10 0\.600 → 0\.700/);
  });

  it('shows the diagnostics of a model compared with a ranking that has none, saying why the ranking has none', () => {
    const { report } = syntheticReport();
    const beside = structuredClone(report);
    beside.models[0].diagnostics = modelDiagnostics();
    Object.assign(beside.models[1], { kind: 'ranking', diagnosticsNote: 'not available for a ranking: a run file has no vectors' });
    const diagnostics = section(renderMarkdown(beside), '## Diagnostics');
    expect(diagnostics).toContain('tuned: diagnostics not available for a ranking: a run file has no vectors.');
    expect(diagnostics).toContain('| diagnostic | base |\n');
    expect(diagnostics).toContain('| Neighbour coherence NC@10 | 0.6000 |');
    expect(diagnostics).not.toContain('"better" and "worse" only beyond');
    expect(section(renderMarkdown(beside), '### Per label')).toContain('| label | silhouette base | NC@10 base |\n| --- | --- | --- |\n| cards | 0.250 | 0.650 |');
  });

  it('marks each example document’s grade (graded judgments) and label', () => {
    const { report } = syntheticReport();
    const dataset = labelledDataset();
    dataset.documents = TextCollection.fromRecords(Array.from(dataset.documents, ({ id, text }, i) => ({ id, text, label: i % 2 === 0 ? 'cards' : 'loans' })));
    const byId = judgmentsById(dataset);
    byId.set('q6', new Map([['d6', 2]]));
    dataset.judgments = judgmentsOf(dataset.queries, dataset.documents, byId);
    const examples = reportExamples(report, dataset);
    expect(examples[0].top[1][0]).toEqual({ docId: 'd6', text: 'answer 6', score: expect.closeTo(0.9, 6), relevance: 2, label: 'loans' });
    const markdown = renderMarkdown(report, examples);
    expect(markdown).toMatch(/\| 1 \| answer 7 \\\[cards\\\] \(0\.900\) \| ✔2 answer 6 \\\[loans\\\] \(0\.900\) \|/);
    expect(markdown).toContain('✔ relevant (judged), followed by its grade. [label]: the document\'s label.');
  });
});
