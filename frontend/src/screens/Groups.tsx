import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql';
import { fieldErrors } from '../errors';
import { t, tn } from '../i18n';
import { EventCard } from '../ui/EventCard';
import { Empty, Skeleton } from '../ui/States';
import type { Viewer } from './types';
import { GroupMembers } from './GroupMembers';
import { NewGroup } from './NewGroup';
import { EditGroup } from './EditGroup';
import { paths } from '../routes';

const GroupsQuery = graphql(`
  query Groups($filter: GroupFilter) {
    groups(filter: $filter, first: 50) {
      edges { node { id name memberCount joinPolicy address { city } viewerMembership { status role } } }
    }
  }
`);

const GroupQuery = graphql(`
  query GroupPage($id: ID!) {
    group(id: $id) {
      id name description memberCount joinPolicy
      address { city }
      viewerMembership { status role }
      events(first: 50) { edges { node { id title kind startsAt cancelled attendeeCount capacity address { city } } } }
    }
  }
`);

const Join = graphql(`
  mutation JoinGroup($groupId: ID!) { joinGroup(groupId: $groupId) { status role } }
`);

const Leave = graphql(`
  mutation LeaveGroup($groupId: ID!) { leaveGroup(groupId: $groupId) }
`);

function MembershipButtons({ id, status, onChange }: { id: string; status?: string; onChange: () => void }) {
  const [joinResult, join] = useMutation(Join);
  const [leaveResult, leave] = useMutation(Leave);
  const errors = { ...fieldErrors(joinResult.error), ...fieldErrors(leaveResult.error) };
  return (
    <div className="actions">
      {status === 'ACTIVE' && <span className="muted">{t('group_member')}</span>}
      {status === 'PENDING' && <span className="muted">{t('group_pending')}</span>}
      {status ? (
        <button type="button" className="secondary" onClick={async () => { await leave({ groupId: id }); onChange(); }}>
          {t('group_leave')}
        </button>
      ) : (
        <button type="button" onClick={async () => { await join({ groupId: id }); onChange(); }}>
          {t('group_join')}
        </button>
      )}
      {errors[''] && <p className="error" role="alert">{errors['']}</p>}
    </div>
  );
}

export function Groups({ viewer }: { viewer: Viewer | null }) {
  const [search, setSearch] = useState('');
  const home = viewer?.homeLocation;
  const filter = {
    search: search.trim() || undefined,
    ...(home && !search.trim() ? { near: { lat: home.lat, lon: home.lon }, radiusKm: 50 } : {}),
  };
  const [{ data, fetching }, refetch] = useQuery({ query: GroupsQuery, variables: { filter } });
  const groups = data?.groups.edges.map((e) => e.node) ?? [];
  return (
    <section>
      <h1>{t('groups_title')}</h1>
      {viewer && <NewGroup />}
      <div className="field">
        <label htmlFor="group-search">{t('filter_search')}</label>
        <input id="group-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      {fetching && !data && <Skeleton />}
      {data && groups.length === 0 && <Empty title={t('groups_empty')} />}
      <ul className="cards">
        {groups.map((g) => (
          <li key={g.id} className="card-item">
            <a href={paths.group(g.id)}><strong>{g.name}</strong></a>
            <div className="muted">
              {g.address?.city} · {tn('members_count', g.memberCount)}
            </div>
            {viewer && (
              <MembershipButtons id={g.id} status={g.viewerMembership?.status} onChange={() => refetch({ requestPolicy: 'network-only' })} />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function GroupPage({ id, viewer }: { id: string; viewer: Viewer | null }) {
  const groupId = decodeURIComponent(id);
  const [{ data }, refetch] = useQuery({ query: GroupQuery, variables: { id: groupId } });
  const g = data?.group;
  if (!g) return <Skeleton rows={1} />;
  return (
    <article className="card">
      <h1>{g.name}</h1>
      <p className="muted">{g.address?.city} · {tn('members_count', g.memberCount)}</p>
      <p className="description">{g.description}</p>
      {viewer && (
        <MembershipButtons id={g.id} status={g.viewerMembership?.status} onChange={() => refetch({ requestPolicy: 'network-only' })} />
      )}
      {g.viewerMembership?.status === 'ACTIVE' && g.viewerMembership.role === 'MANAGER' && (
        <>
          <EditGroup group={g} onSaved={() => refetch({ requestPolicy: 'network-only' })} />
          <GroupMembers groupId={g.id} viewerId={viewer?.person.id} />
        </>
      )}
      <h2>{t('group_events')}</h2>
      {g.events.edges.length === 0 && <p className="muted">{t('group_events_empty')}</p>}
      <ul className="cards">
        {g.events.edges.map(({ node: e }) => (
          <EventCard key={e.id} event={{
            id: e.id, title: e.title, kind: e.kind, startsAt: e.startsAt, cancelled: e.cancelled,
            city: e.address.city, attendeeCount: e.attendeeCount, capacity: e.capacity,
          }} />
        ))}
      </ul>
    </article>
  );
}
