import { useEffect } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import type { MyActionsQuery } from '../gql/graphql';
import { formatDate, t } from '../i18n';
import { paths } from '../routes';
import { MY_ACTIONS_KEY, forgetMyActions } from '../myActionsCopy';

const MyActionsQueryDoc = graphql(`
  query MyActions {
    viewer {
      rsvps(first: 100) {
        nodes {
          id
          status
          event {
            id title startsAt endsAt cancelled
            address { street postcode city }
          }
        }
      }
    }
  }
`);

type Rsvp = NonNullable<MyActionsQuery['viewer']>['rsvps']['nodes'][number];

/** The member's upcoming actions, kept on this device (and only here) so
 *  that the list opens without a network: at the meeting point, in a
 *  basement, on a train. Signing out forgets it. */
const SAVED = MY_ACTIONS_KEY;

interface Saved {
  savedAt: string;
  items: Rsvp[];
}

function isSaved(json: unknown): json is Saved {
  return typeof json === 'object' && json !== null && Array.isArray(Reflect.get(json, 'items'))
    && typeof Reflect.get(json, 'savedAt') === 'string';
}

function load(): Saved | null {
  try {
    const json: unknown = JSON.parse(localStorage.getItem(SAVED) ?? 'null');
    return isSaved(json) ? json : null;
  } catch {
    return null;
  }
}

function upcoming(items: Rsvp[]): Rsvp[] {
  const now = Date.now();
  return items
    .filter((r) => new Date(r.event.endsAt).getTime() >= now)
    .sort((a, b) => a.event.startsAt.localeCompare(b.event.startsAt));
}

export function MyActions() {
  const [{ data, error, fetching }] = useQuery({ query: MyActionsQueryDoc, requestPolicy: 'network-only' });
  const fresh = data?.viewer?.rsvps.nodes;
  useEffect(() => {
    if (fresh) {
      const saved: Saved = { savedAt: new Date().toISOString(), items: upcoming(fresh) };
      localStorage.setItem(SAVED, JSON.stringify(saved));
    }
  }, [fresh]);
  // Signed out (the server answered, with no viewer): nothing to show,
  // and nothing kept.
  if (data && !data.viewer) {
    forgetMyActions();
    return <p><a href={paths.login}>{t('nav_login')}</a></p>;
  }
  const saved = fresh ? null : load();
  const items = fresh ? upcoming(fresh) : upcoming(saved?.items ?? []);
  const offline = !fresh && (Boolean(error?.networkError) || !navigator.onLine);
  return (
    <section className="card">
      <h1>{t('my_actions_title')}</h1>
      {offline && saved && (
        <p className="notice" role="status" data-testid="offline-copy">
          {t('my_actions_offline', { when: formatDate(saved.savedAt) })}
        </p>
      )}
      {fetching && !saved && <p className="muted">{t('loading')}</p>}
      {!fetching && items.length === 0 && <p>{t('my_actions_empty')}</p>}
      <ul className="plain" data-testid="my-actions">
        {items.map((r) => (
          <li key={r.id}>
            <a href={paths.event(r.event.id)}><strong>{r.event.title}</strong></a>
            {r.event.cancelled && <span className="badge">{t('cancelled')}</span>}
            <div>{formatDate(r.event.startsAt)}</div>
            <div className="muted">
              {[r.event.address.street, `${r.event.address.postcode} ${r.event.address.city}`]
                .filter(Boolean)
                .join(', ')}
            </div>
            <div className="muted">{t(r.status === 'GOING' ? 'rsvp_status_GOING' : 'rsvp_status_WAITLISTED')}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}
