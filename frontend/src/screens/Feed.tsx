import { useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../gql';
import type { FeedItemFragment } from '../gql/graphql';
import { ACTIVITY_LABELS, formatDate, t } from '../i18n';
import { paths } from '../routes';
import { Empty, Skeleton } from '../ui/States';

// One selection for the page and the live items, so both are one type.
graphql(`
  fragment FeedItem on Activity {
    id cursor kind createdAt actor { displayName } event { id title } group { id name }
  }
`);

const FeedPage = graphql(`
  query FeedPage {
    viewer {
      feed(first: 30) {
        edges { node { ...FeedItem } }
      }
    }
  }
`);

const FeedLive = graphql(`
  subscription FeedLive($after: String) {
    feed(after: $after) { ...FeedItem }
  }
`);

type Item = FeedItemFragment;

/** The feed: the latest page, then live from the newest item's cursor. A
 *  lost connection resubscribes from that same cursor (graphql-ws retries),
 *  so nothing is missed; replayed items are recognised by id. */
export function Feed() {
  const [{ data, fetching }] = useQuery({ query: FeedPage, requestPolicy: 'network-only' });
  const page: Item[] = (data?.viewer?.feed.edges ?? []).map((e) => e.node);
  const after = data ? (page[0]?.cursor ?? null) : undefined;
  const [live, setLive] = useState<Item[]>([]);
  useSubscription(
    { query: FeedLive, variables: { after }, pause: after === undefined },
    (_, r) => {
      const item = r.feed;
      setLive((items) => (items.some((i) => i.id === item.id) ? items : [item, ...items]));
      return r;
    },
  );
  const items = [...live, ...page.filter((p) => !live.some((l) => l.id === p.id))];
  return (
    <section>
      <h1>{t('feed_title')}</h1>
      {fetching && !data && <Skeleton />}
      {items.length === 0 && data && <Empty title={t('feed_empty')} hint={t('feed_empty_hint')} />}
      <ul className="events" aria-live="polite">
        {items.map((i) => (
          <li key={i.id}>
            <strong>{ACTIVITY_LABELS[i.kind] ?? i.kind}</strong>
            <div>
              {i.actor?.displayName}
              {i.event && <> · <a href={paths.event(i.event.id)}>{i.event.title}</a></>}
              {i.group && <> · {i.group.name}</>}
            </div>
            <div className="muted">{formatDate(i.createdAt)}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}
