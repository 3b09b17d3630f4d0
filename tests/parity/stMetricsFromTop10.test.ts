/**
 * The metrics alone against sentence-transformers, with no encoder in between: each model's stored top-10
 * lists (`reference-values.json`, from `util.semantic_search`) judged against SciFact's qrels must give
 * `InformationRetrievalEvaluator`'s values to 1e-12. The end-to-end check (tests/cli/eval.test.ts, 1e-3)
 * mixes metric errors with encoder drift; this one leaves only the metrics.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/core/data/loadDataset.ts';
import { judgeRun } from '../../src/core/metrics/judgedRun.ts';
import { RankingOrder } from '../../src/core/metrics/rankings.ts';
import { evaluateJudged } from '../../src/core/metrics/registry.ts';
import { readFolderFiles } from '../fixtures/folderFiles.ts';
import { rankingsOf } from '../fixtures/rankings.ts';
import { HAS_SHARED_MODELS, needs, REAL_MODELS, SHARED } from '../paths.ts';
import { referenceValues } from '../referenceValues.ts';

const SCIFACT = path.join(SHARED, 'data', 'scifact');
const READY = HAS_SHARED_MODELS && existsSync(SCIFACT);

describe.skipIf(!READY)(needs(SCIFACT, 'sentence-transformers metrics from its own top-10 lists'), () => {
  const dataset = READY ? loadDataset(readFolderFiles(SCIFACT, 'scifact')).dataset! : null;

  it.each(REAL_MODELS)('%s: every metric that needs no more than the top 10 equals the evaluator’s to 1e-12', (name) => {
    const { metrics: expected, top10 } = referenceValues().models[name].scifact_test;
    const documents = dataset!.documents;
    const lists = Array.from({ length: dataset!.queries.length }, (_, q) =>
      (top10[dataset!.queries.id(q)] ?? []).map(([doc, score]) => {
        const row = documents.rowOf(doc);
        expect(row, `document ${doc}`).toBeGreaterThanOrEqual(0);
        return [row, score] as const;
      }),
    );
    // map@100 reads ranks 11-100, which the stored lists do not have.
    const keys = Object.keys(expected).map((key) => key.replace(/^scifact_cosine_/, '')).filter((key) => key !== 'map@100');
    expect(keys).toHaveLength(15);
    const judged = judgeRun(RankingOrder.of(rankingsOf(lists), 'sentence-transformers', (row) => documents.id(row)), dataset!.judgments);
    const { metrics, queryRows } = evaluateJudged(judged, keys);
    expect(queryRows.length).toBe(300);
    for (const key of keys) expect(Math.abs(metrics[key] - expected[`scifact_cosine_${key}`]), key).toBeLessThanOrEqual(1e-12);
  });
});
