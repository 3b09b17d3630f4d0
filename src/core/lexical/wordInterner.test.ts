import { describe, expect, it } from 'vitest';
import { NOT_FOUND, WordInterner } from './wordInterner.ts';
import { WordScanner } from './wordScanner.ts';

describe('the word interner', () => {
  it('finds words by a span of a text, telling apart words that share a hash', () => {
    const words = new WordInterner(4);
    // Every word gets hash 7: lookups must compare the characters.
    words.add('cell', 7, 1);
    words.add('cells', 7, 2);
    words.add('cela', 7, 3);
    const text = 'a cell, cells, cela, celt';
    expect(words.get(text, 2, 6, 7)).toBe(1);
    expect(words.get(text, 8, 13, 7)).toBe(2);
    expect(words.get(text, 15, 19, 7)).toBe(3);
    expect(words.get(text, 21, 25, 7)).toBe(NOT_FOUND);
    expect(words.get(text, 2, 6, 8)).toBe(NOT_FOUND);
  });

  it('keeps every word through many rehashes, with the scanner\'s hashes', () => {
    const words = new WordInterner(2);
    const scanner = new WordScanner();
    const text = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`).join(' ');
    let value = 0;
    for (scanner.reset(text); scanner.next(); ) words.add(text.slice(scanner.start, scanner.end), scanner.hash, value++);
    let expected = 0;
    for (scanner.reset(text); scanner.next(); ) expect(words.get(text, scanner.start, scanner.end, scanner.hash)).toBe(expected++);
    expect(words.words).toHaveLength(5000);
  });
});
