import { describe, expect, it } from 'vitest';
import { parisMidnight } from './parisTime';

describe('parisMidnight', () => {
  it('is the start of the day in Paris, winter and summer', () => {
    expect(parisMidnight('2026-12-01')).toBe('2026-12-01T00:00:00+01:00');
    expect(parisMidnight('2026-07-01')).toBe('2026-07-01T00:00:00+02:00');
    // The days the clocks change.
    expect(new Date(parisMidnight('2026-03-29')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(parisMidnight('2026-10-25')).toISOString()).toBe('2026-10-24T22:00:00.000Z');
  });
});
