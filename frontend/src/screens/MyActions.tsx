import { useEffect } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import type { MyActionsQuery } from '../gql/graphql';
import { formatDate, t } from '../i18n';
import { EventCard } from '../ui/EventCard';
import { paths } from '../routes';
import { Empty, Skeleton } from '../ui/States';
import { MY_ACTIONS_KEY, forgetMyActions } from '../myActionsCopy';

const MyActionsQueryDoc = graphql(`
  query MyActions {
    viewer {
      rsvps(first: 100) {
        nodes {
          id
          status
          event {
            id title kind startsAt endsAt cancelled
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
      {fetching && !saved && <Skeleton />}
      {!fetching && items.length === 0 && (
        <Empty title={t('my_actions_empty')} action={{ href: paths.home, label: t('nav_nearby') }} />
      )}
      <ul className="cards" data-testid="my-actions">
        {items.map((r) => (
          // A copy kept by an earlier version has no kind: no icon then.
          <EventCard key={r.id} event={{
            id: r.event.id, title: r.event.title, kind: r.event.kind ?? undefined, startsAt: r.event.startsAt,
            cancelled: r.event.cancelled,
            // At the meeting point, the whole address.
            city: [r.event.address.street, `${r.event.address.postcode} ${r.event.address.city}`].filter(Boolean).join(', '),
          }}>
            <p className="meta">{t(r.status === 'GOING' ? 'rsvp_status_GOING' : 'rsvp_status_WAITLISTED')}</p>
          </EventCard>
        ))}
      </ul>
    </section>
  );
}
