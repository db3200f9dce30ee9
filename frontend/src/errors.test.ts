import { describe, expect, it } from 'vitest';
import { CombinedError } from 'urql';
import { GraphQLError } from 'graphql';
import { fieldErrors, errorCode } from './errors';
import { t, tn } from './i18n';
import { toCsv } from './csv';

describe('fieldErrors', () => {
  it('puts a server error next to the field it names', () => {
    const error = new CombinedError({
      graphQLErrors: [
        new GraphQLError('aucune commune ne correspond', {
          extensions: { code: 'BAD_USER_INPUT', field: 'input.address.city' },
        }),
        new GraphQLError('trop de demandes', { extensions: { code: 'RATE_LIMITED' } }),
      ],
    });
    expect(fieldErrors(error)).toEqual({ city: 'aucune commune ne correspond', '': 'trop de demandes' });
    expect(errorCode(error)).toBe('BAD_USER_INPUT');
  });
});

describe('fieldErrors for a passing outage', () => {
  it('says the service is momentarily unavailable', () => {
    const error = new CombinedError({
      graphQLErrors: [
        new GraphQLError('service momentarily unavailable; try again shortly', {
          extensions: { code: 'UNAVAILABLE', retryAfterSeconds: 2 },
        }),
      ],
    });
    expect(fieldErrors(error)).toEqual({ '': t('unavailable') });
  });
});

describe('t', () => {
  it('fills placeholders', () => {
    expect(t('event_by', { name: 'Alice M.' })).toBe('Organisé par Alice M.');
  });
});

describe('tn', () => {
  it('agrees with the count, French style (0 and 1 are singular)', () => {
    expect(tn('attendees_count', 0)).toBe('0 participant·e');
    expect(tn('attendees_count', 1)).toBe('1 participant·e');
    expect(tn('attendees_count', 2)).toBe('2 participant·es');
    expect(tn('members_count', 12)).toBe('12 membres');
  });
});

describe('toCsv', () => {
  it('quotes what needs quoting', () => {
    expect(toCsv([['a', 'b'], ['Saint-Denis, 93', 'dit "oui"']])).toBe('a,b\r\n"Saint-Denis, 93","dit ""oui"""\r\n');
  });
});
