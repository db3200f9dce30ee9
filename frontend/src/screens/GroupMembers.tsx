import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql';
import { fieldErrors } from '../errors';
import { t } from '../i18n';

const Members = graphql(`
  query GroupMembers($id: ID!) {
    group(id: $id) {
      id
      members(first: 100) { edges { node { role person { id displayName } } } }
    }
  }
`);

const SetRole = graphql(`
  mutation SetMemberRole($groupId: ID!, $personId: ID!, $role: GroupRole!) {
    setMemberRole(groupId: $groupId, personId: $personId, role: $role) { role }
  }
`);

/** The members of a group, for its managers: who manages it, and the
 *  buttons that name another manager or let one step down. */
export function GroupMembers({ groupId }: { groupId: string }) {
  const [{ data }, refetch] = useQuery({ query: Members, variables: { id: groupId } });
  const [result, setRole] = useMutation(SetRole);
  const errors = fieldErrors(result.error);
  const members = data?.group?.members?.edges ?? [];
  return (
    <section>
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
          </li>
        ))}
      </ul>
    </section>
  );
}
