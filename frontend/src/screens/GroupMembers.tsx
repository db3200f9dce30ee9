import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql';
import { fieldErrors } from '../errors';
import { t } from '../i18n';

const Members = graphql(`
  query GroupMembers($id: ID!) {
    group(id: $id) {
      id
      members(first: 100) { edges { node { role person { id displayName } } } }
      joinRequests(first: 50) { edges { node { person { id displayName } } } }
    }
  }
`);

const SetRole = graphql(`
  mutation SetMemberRole($groupId: ID!, $personId: ID!, $role: GroupRole!) {
    setMemberRole(groupId: $groupId, personId: $personId, role: $role) { role }
  }
`);

const Respond = graphql(`
  mutation RespondToJoinRequest($groupId: ID!, $personId: ID!, $accept: Boolean!) {
    respondToJoinRequest(groupId: $groupId, personId: $personId, accept: $accept) { status }
  }
`);

const RemoveMember = graphql(`
  mutation RemoveMember($groupId: ID!, $personId: ID!) {
    removeMember(groupId: $groupId, personId: $personId)
  }
`);

/** The members of a group, for its managers: who manages it, and the
 *  buttons that name another manager, let one step down, or remove a
 *  member (after a confirmation: it bars them from an open group for a
 *  month). */
export function GroupMembers({ groupId, viewerId }: { groupId: string; viewerId?: string }) {
  const [{ data }, refetch] = useQuery({ query: Members, variables: { id: groupId } });
  const [result, setRole] = useMutation(SetRole);
  const [removeResult, remove] = useMutation(RemoveMember);
  const [, respond] = useMutation(Respond);
  const requests = data?.group?.joinRequests?.edges ?? [];
  const errors = { ...fieldErrors(result.error), ...fieldErrors(removeResult.error) };
  const members = data?.group?.members?.edges ?? [];
  return (
    <section>
      {requests.length > 0 && (
        <>
          <h2>{t('group_requests')}</h2>
          <ul className="plain" data-testid="join-requests">
            {requests.map(({ node: r }) => (
              <li key={r.person.id}>
                {r.person.displayName}{' '}
                {[true, false].map((accept) => (
                  <button
                    key={String(accept)}
                    type="button"
                    className={accept ? 'link' : 'link muted'}
                    onClick={async () => {
                      await respond({ groupId, personId: r.person.id, accept });
                      refetch({ requestPolicy: 'network-only' });
                    }}
                  >
                    {t(accept ? 'group_accept' : 'group_refuse', { name: r.person.displayName })}
                  </button>
                ))}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>{t('group_members')}</h2>
      {errors[''] && <p className="error" role="alert">{errors['']}</p>}
      <ul className="plain" data-testid="members">
        {members.map(({ node: m }) => (
          <li key={m.person.id}>
            {m.person.displayName}
            {m.role === 'MANAGER' && <span className="badge">{t('group_manager')}</span>}{' '}
            <button
              type="button"
              className="link"
              onClick={async () => {
                await setRole({ groupId, personId: m.person.id, role: m.role === 'MANAGER' ? 'MEMBER' : 'MANAGER' });
                refetch({ requestPolicy: 'network-only' });
              }}
            >
              {m.role === 'MANAGER'
                ? t('group_demote', { name: m.person.displayName })
                : t('group_promote', { name: m.person.displayName })}
            </button>
            {m.person.id !== viewerId && (
              <>
                {' '}
                <button
                  type="button"
                  className="link"
                  onClick={async () => {
                    if (!window.confirm(t('group_remove_confirm', { name: m.person.displayName }))) return;
                    await remove({ groupId, personId: m.person.id });
                    refetch({ requestPolicy: 'network-only' });
                  }}
                >
                  {t('group_remove', { name: m.person.displayName })}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
