import { describe, expect, it } from 'vitest';
import type { ComparisonProgress } from '../core/eval/compare.ts';
import { progressPrinter } from './progressPrinter.ts';

function recorder(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (text: string) => written.push(text) }, written };
}

const encoding = (done: number, extra: Partial<ComparisonProgress> = {}): ComparisonProgress => ({
  checkpoint: 0, name: 'A', stage: 'documents', done, total: 1000, cached: 0, ...extra,
});

describe('the CLI progress lines', () => {
  it('shows count, rate and time left on a terminal', () => {
    const { stream, written } = recorder(true);
    const print = progressPrinter(stream, () => 0);
    print(encoding(0));
    print(encoding(128, { textsPerSecond: 25.04, etaSeconds: 185.2 }));
    expect(written.at(-1)).toBe('\r\x1b[KA: documents 128/1000 · 25.0 texts/s · 3 min 06 s left');
    print(encoding(1000, { finished: { encoded: 1000, cached: 0, seconds: 40 } }));
    expect(written.at(-1)).toBe('A: documents: 1000 encoded, 0 from cache (40.0 s)\n');
  });

  it('writes only finished lines when piped', () => {
    const { stream, written } = recorder(false);
    const print = progressPrinter(stream, () => 0);
    print(encoding(128, { textsPerSecond: 25, etaSeconds: 30 }));
    print(encoding(1000, { finished: { encoded: 990, cached: 10, seconds: 40 } }));
    expect(written).toEqual(['A: documents: 990 encoded, 10 from cache (40.0 s)\n']);
  });
});
