import { describe, expect, it } from 'vitest';
import { duration } from './duration.ts';

describe('duration', () => {
  it('rounds up to whole seconds, and carries a full minute into the minutes', () => {
    expect(duration(0)).toBe('0 s');
    expect(duration(0.2)).toBe('1 s');
    expect(duration(58.5)).toBe('59 s');
    expect(duration(59)).toBe('59 s');
    expect(duration(59.4)).toBe('1 min 00 s');
    expect(duration(59.6)).toBe('1 min 00 s');
    expect(duration(60)).toBe('1 min 00 s');
    expect(duration(61)).toBe('1 min 01 s');
    expect(duration(119.6)).toBe('2 min 00 s');
    expect(duration(185.2)).toBe('3 min 06 s');
  });

  it('switches to hours and minutes at an hour', () => {
    expect(duration(3599)).toBe('59 min 59 s');
    expect(duration(3599.5)).toBe('1 h 00 min');
    expect(duration(3600)).toBe('1 h 00 min');
    expect(duration(3725)).toBe('1 h 02 min');
    expect(duration(7325)).toBe('2 h 02 min');
    expect(duration(100 * 3600 + 59)).toBe('100 h 00 min');
  });

  it('says "…" when there is no estimate to show', () => {
    for (const none of [undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) expect(duration(none)).toBe('…');
  });

  it('never shows a negative time', () => {
    expect(duration(-3)).toBe('0 s');
    expect(duration(-0.4)).toBe('0 s');
  });
});
