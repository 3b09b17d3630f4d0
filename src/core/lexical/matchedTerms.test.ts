import { describe, expect, it } from 'vitest';
import { loadBm25Tokenizer } from './bm25Tokenizer.ts';
import { matchedTerms } from './matchedTerms.ts';

describe('matched terms', () => {
  it('marks the document words whose stem is a query term, as written, stop words never', async () => {
    const tokenizer = await loadBm25Tokenizer();
    const document = 'The Runner ran; running is what runners do. Cells: the cell-cycle of a CELL.';
    const spans = matchedTerms('Do the cells run?', document, tokenizer);
    expect(spans.map(({ start, end }) => document.slice(start, end))).toEqual(['running', 'do', 'Cells', 'cell', 'CELL']);
    expect(spans.map((s) => s.term)).toEqual(['run', 'do', 'cell', 'cell', 'cell']);
  });

  it('finds nothing for a query of stop words or an empty document', async () => {
    const tokenizer = await loadBm25Tokenizer();
    expect(matchedTerms('the and of', 'the and of cells', tokenizer)).toEqual([]);
    expect(matchedTerms('cells', '', tokenizer)).toEqual([]);
  });

  it('keeps positions in the original text when lower-casing changes lengths', async () => {
    const tokenizer = await loadBm25Tokenizer();
    const document = 'İİ İstanbul İzmir istanbul';
    const spans = matchedTerms('Istanbul stanbul', document, tokenizer);
    // "İstanbul" lower-cases to "i̇stanbul": its word is "stanbul" (the dot is a combining mark), as in bm25s.
    expect(spans.map(({ start, end }) => document.slice(start, end))).toEqual(['stanbul', 'istanbul']);
  });
});
