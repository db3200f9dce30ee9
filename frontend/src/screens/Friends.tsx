import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql';
import { fieldErrors } from '../errors';
import { t } from '../i18n';
import { Empty, Skeleton } from '../ui/States';
import { paths } from '../routes';

const FriendsQuery = graphql(`
  query Friends {
    viewer {
      person { id }
      friends(first: 100) { edges { node { id displayName photoUrl } } }
      friendRequests(first: 50) { edges { node { id status from { id displayName } to { id displayName } } } }
    }
  }
`);

const Respond = graphql(`
  mutation RespondToFriendRequest($id: ID!, $accept: Boolean!) {
    respondToFriendRequest(friendshipId: $id, accept: $accept) { id status }
  }
`);

const RemoveFriend = graphql(`
  mutation RemoveFriend($personId: ID!) { removeFriend(personId: $personId) }
`);

export const SendFriendRequest = graphql(`
  mutation SendFriendRequest($personId: ID!) { sendFriendRequest(personId: $personId) { id status } }
`);

export function Friends() {
  const [{ data, fetching }, refetch] = useQuery({ query: FriendsQuery, requestPolicy: 'network-only' });
  const [result, respond] = useMutation(Respond);
  const [, removeFriend] = useMutation(RemoveFriend);
  const errors = fieldErrors(result.error);
  const me = data?.viewer?.person.id;
  const incoming = (data?.viewer?.friendRequests.edges ?? []).map((e) => e.node).filter((f) => f.to.id === me);
  const friends = (data?.viewer?.friends.edges ?? []).map((e) => e.node);
  return (
    <section>
      <h1>{t('friends_title')}</h1>
      {fetching && !data && <Skeleton rows={2} />}
      <h2>{t('friend_requests')}</h2>
      {data && incoming.length === 0 && <p className="muted">{t('none')}</p>}
      <ul className="events">
        {incoming.map((f) => (
          <li key={f.id}>
            {f.from.displayName}
            <div className="actions">
              <button type="button" onClick={async () => { await respond({ id: f.id, accept: true }); refetch({ requestPolicy: 'network-only' }); }}>
                {t('friend_accept')}
              </button>
              <button type="button" className="secondary" onClick={async () => { await respond({ id: f.id, accept: false }); refetch({ requestPolicy: 'network-only' }); }}>
                {t('friend_refuse')}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {errors[''] && <p className="error" role="alert">{errors['']}</p>}
      <h2>{t('friends_list')}</h2>
      {data && friends.length === 0 && (
        <Empty title={t('friends_empty')} hint={t('friends_empty_hint')} action={{ href: paths.home, label: t('nav_nearby') }} />
      )}
      <ul className="events">
        {friends.map((p) => (
          <li key={p.id}>
            {p.displayName}{' '}
            <button
              type="button"
              className="link"
              onClick={async () => {
                if (!window.confirm(t('friend_remove_confirm', { name: p.displayName }))) return;
                await removeFriend({ personId: p.id });
                refetch({ requestPolicy: 'network-only' });
              }}
            >
              {t('friend_remove', { name: p.displayName })}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
