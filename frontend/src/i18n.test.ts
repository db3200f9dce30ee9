import { describe, expect, it } from 'vitest';
import { fr } from './i18n';
import { activities, kinds, strings as en } from './i18n.en';

const english: Record<string, string> = en;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the English catalogue', () => {
  it('fills the same placeholders as the French one, key by key', () => {
    for (const [key, text] of Object.entries(fr)) {
      expect(placeholders(english[key] ?? ''), key).toEqual(placeholders(text));
    }
  });

  it('is translated, not copied', () => {
    const same = Object.entries(fr).filter(([k, v]) => english[k] === v && !/\{|^[A-Z][a-z]+$|Cortège/.test(v));
    expect(same.map(([k]) => k)).toEqual([]);
    expect(Object.keys(kinds)).toHaveLength(14);
    expect(activities.EVENT_HOST_ADDED).toBe('You co-host an action');
  });
});
