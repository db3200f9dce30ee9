import { describe, expect, it } from 'vitest';
import { formatKm } from '../i18n';
import { seats } from './EventCard';

const event = { id: 'e', title: 'Tractage', startsAt: '2026-12-07T18:00:00Z' };

describe('an action card', () => {
  it('counts the places left, in agreement with their number', () => {
    expect(seats({ ...event, attendeeCount: 9, capacity: 12 })).toBe('3 places restantes');
    expect(seats({ ...event, attendeeCount: 11, capacity: 12 })).toBe('1 place restante');
    expect(seats({ ...event, attendeeCount: 12, capacity: 12 })).toBe('Complet');
  });

  it('counts who is going when there is no limit, and says nothing when it does not know', () => {
    expect(seats({ ...event, attendeeCount: 1, capacity: null })).toBe('1 participant·e');
    expect(seats({ ...event, attendeeCount: 0 })).toBe('0 participant·e');
    expect(seats(event)).toBeNull();
  });

  it('writes distances the French way', () => {
    // A narrow no-break space before the unit, as French typography has it.
    expect(formatKm(2.345)).toBe('2,3\u202fkm');
    expect(formatKm(23.4)).toBe('23\u202fkm');
  });
});
