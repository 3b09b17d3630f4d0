import { describe, expect, it } from 'vitest';
import { normalizeRows } from './normalize.ts';

describe('normalizeRows', () => {
  it('scales each row to unit length', () => {
    const v = Float32Array.from([3, 4, 0, -2]);
    normalizeRows(v, 2);
    expect(Array.from(v)).toEqual([0.6000000238418579, 0.800000011920929, 0, -1]);
  });
  it('leaves a zero row at zero instead of NaN', () => {
    const v = new Float32Array(3);
    normalizeRows(v, 3);
    expect(Array.from(v)).toEqual([0, 0, 0]);
  });
});
