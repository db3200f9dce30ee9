import { describe, expect, it } from 'vitest';
import { legacyPath, parseRoute, paths } from './routes';

describe('routes', () => {
  it('reads every page back from its path', () => {
    expect(parseRoute('/')).toEqual({ screen: 'home' });
    expect(parseRoute('/mes-actions/')).toEqual({ screen: 'myActions' });
    expect(parseRoute(paths.event('RXZlbnQ6YWJj'))).toEqual({ screen: 'event', id: 'RXZlbnQ6YWJj' });
    expect(parseRoute(paths.group('R3JvdXA6eA'))).toEqual({ screen: 'group', id: 'R3JvdXA6eA' });
    expect(parseRoute('/groupes')).toEqual({ screen: 'groups' });
    expect(parseRoute('/actions/a/b')).toEqual({ screen: 'home' });
    expect(parseRoute('/nowhere')).toEqual({ screen: 'home' });
  });

  it('sends the hash links of old mails to the same page', () => {
    expect(legacyPath('#/event/RXZlbnQ6YWJj')).toBe('/actions/RXZlbnQ6YWJj');
    expect(legacyPath('#/group/R3JvdXA6eA')).toBe('/groupes/R3JvdXA6eA');
    expect(legacyPath('#/actions')).toBe('/mes-actions');
    expect(legacyPath('#/')).toBe('/');
    expect(legacyPath('#top')).toBeNull();
    expect(legacyPath('')).toBeNull();
  });
});
