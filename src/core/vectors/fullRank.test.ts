import { describe, expect, it } from 'vitest';
import { randomTopKCase } from '../../../tests/fixtures/random.ts';
import { topKCpuSync } from '../kernels/topk/topk.cpu.ts';
import { fullRanks, fullRanksOf } from './fullRank.ts';

describe('full ranks', () => {
  it('equal each document’s position in the top-k kernel’s complete ranking, ties included', () => {
    const seed = Date.now() % 100_000;
    const { queries, docs } = randomTopKCase(seed, 3, 257, 19);
    // Duplicate rows make exact ties: the lower row must come first.
    docs.copyWithin(40 * 19, 7 * 19, 8 * 19);
    docs.copyWithin(200 * 19, 7 * 19, 8 * 19);
    const full = topKCpuSync({ queries, docs, dim: 19, k: 257 });
    for (let q = 0; q < 3; q++) {
      const order = Array.from(full.indices.subarray(q * 257, (q + 1) * 257));
      const targets = [7, 40, 200, 0, 256, order[0], order[256]];
      expect(Array.from(fullRanks(queries, q, docs, 19, targets)), `seed ${seed}, query ${q}`).toEqual(targets.map((d) => order.indexOf(d) + 1));
    }
  });

  it('of several queries in one pass equal each query’s own, targets of any count', () => {
    const { queries, docs } = randomTopKCase(31, 4, 301, 11);
    const targets = [[3, 300, 17], [], [0], [150, 151, 152, 3]];
    const full = topKCpuSync({ queries, docs, dim: 11, k: 301 });
    const together = fullRanksOf(queries, [2, 0, 3, 1], docs, 11, [targets[2], targets[0], targets[3], targets[1]]);
    [2, 0, 3, 1].forEach((q, i) => {
      const order = Array.from(full.indices.subarray(q * 301, (q + 1) * 301));
      expect(Array.from(together[i]), `query ${q}`).toEqual(targets[q].map((d) => order.indexOf(d) + 1));
    });
  });
});
