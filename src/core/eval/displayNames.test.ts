import { describe, expect, it } from 'vitest';
import { displayNames } from './displayNames.ts';

describe('checkpoint names', () => {
  it('shortens paths and served URLs to their last part', () => {
    expect(displayNames([{ name: '/models/base', source: '/models/base' }, { name: 'runs/ft/', source: 'runs/ft/' }])).toEqual(['base', 'ft']);
  });
  it('tells clashing names apart by slot letter in the page, by path on the command line, else by position', () => {
    expect(displayNames([{ name: 'model', source: 'model', slot: 'A' }, { name: 'model', source: 'model', slot: 'C' }])).toEqual(['A: model', 'C: model']);
    expect(displayNames([{ name: 'model', source: 'out/epoch-1/model' }, { name: 'model', source: 'out/epoch-2/model' }, { name: 'other', source: 'x' }])).toEqual([
      'epoch-1/model',
      'epoch-2/model',
      'other',
    ]);
    expect(displayNames([{ name: 'model', source: 'same/model' }, { name: 'model', source: 'same/model' }])).toEqual(['model (1)', 'model (2)']);
  });
});
