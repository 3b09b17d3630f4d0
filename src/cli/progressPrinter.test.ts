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

  it('says what BM25 did: it indexes documents and searches the index, it encodes nothing', () => {
    const bm25 = (stage: 'index' | 'search', done: number, total: number, extra: Partial<ComparisonProgress> = {}): ComparisonProgress => ({ checkpoint: 1, name: 'bm25', stage, done, total, ...extra });
    const { stream, written } = recorder(true);
    const print = progressPrinter(stream, () => 0);
    print(bm25('index', 64, 5183, { textsPerSecond: 1200, etaSeconds: 4.2 }));
    expect(written.at(-1)).toBe('\r\x1b[Kbm25: indexing documents 64/5183 · 1200.0 documents/s · 5 s left');
    print(bm25('index', 5183, 5183, { cached: 0, seconds: 0.84 }));
    expect(written.at(-1)).toBe('bm25: indexed 5183 documents (0.8 s)\n');
    print(bm25('search', 300, 300, { seconds: 0.05 }));
    expect(written.at(-1)).toBe('bm25: searched the index for 300 queries (0.1 s)\n');
    expect(written.join('')).not.toMatch(/encoded|from cache/);

    // A second BM25 checkpoint of the run reuses the first one's index.
    const piped = recorder(false);
    const printPiped = progressPrinter(piped.stream, () => 0);
    printPiped(bm25('index', 32, 32, { cached: 32, seconds: 0, name: 'bm25+' }));
    printPiped(bm25('search', 1, 1, { seconds: 0.01, name: 'bm25+' }));
    expect(piped.written).toEqual(['bm25+: the index of 32 documents built by an earlier BM25 checkpoint\n', 'bm25+: searched the index for 1 query (0.0 s)\n']);
  });
});
