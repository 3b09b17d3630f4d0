import { describe, expect, it } from 'vitest';
import { count, duration, metricValue, modelLabel, relativeChange, signedValue } from './format.ts';

describe('formatting a change', () => {
  it('writes a change that rounds to zero as a plain 0, not −0.0000 or ±0.0000', () => {
    expect(signedValue(-1e-17)).toBe('0');
    expect(signedValue(0)).toBe('0');
    expect(signedValue(-0.00004)).toBe('0');
    expect(signedValue(-0.00005)).toBe('−0.0001');
    expect(signedValue(0.0123)).toBe('+0.0123');
    expect(signedValue(-0.0004, 3)).toBe('0');
  });

  it('writes a relative change that rounds to 0.0 % as 0 %, and keeps its sign otherwise', () => {
    expect(relativeChange(-1e-17, 0.5)).toBe('0 %');
    expect(relativeChange(0, 0.5)).toBe('0 %');
    expect(relativeChange(-0.01, 0.5)).toBe('−2.0 %');
    expect(relativeChange(0.01, 0.5)).toBe('+2.0 %');
    expect(relativeChange(0.01, 0)).toBe('—');
  });
});

describe('counting', () => {
  it('puts the noun in the singular for one and in the plural otherwise', () => {
    expect(count(1, 'text')).toBe('1 text');
    expect(count(0, 'text')).toBe('0 texts');
    expect(count(2, 'query', 'queries')).toBe('2 queries');
    expect(count(1, 'query', 'queries')).toBe('1 query');
  });
});

describe('a model\'s label', () => {
  it('writes the slot letter once, also when the report already prefixed the name with it', () => {
    expect(modelLabel(0, 'tiny-bert')).toBe('A tiny-bert');
    expect(modelLabel(2, 'C: tiny-bert')).toBe('C: tiny-bert');
    // Another slot's letter in the name is part of the name.
    expect(modelLabel(1, 'A: tiny-bert')).toBe('B A: tiny-bert');
  });
});

describe('metric values', () => {
  it('writes negative values with a true minus sign, as the deltas beside them', () => {
    expect([metricValue(-0.0807), metricValue(0.5), metricValue(null), metricValue(NaN)]).toEqual(['−0.0807', '0.5000', '—', '—']);
  });
});

describe('the run panel’s time left', () => {
  it('is written as the CLI writes it, a full minute carried (it once read "1 min 60 s")', () => {
    expect([duration(45), duration(119.6), duration(185.2), duration(3725), duration(undefined)]).toEqual(['45 s', '2 min 00 s', '3 min 06 s', '1 h 02 min', '…']);
  });
});
