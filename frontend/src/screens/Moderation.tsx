import { useMutation, useQuery, useSubscription } from 'urql';
import { graphql } from '../gql';
import { fieldErrors } from '../errors';
import { formatDate, t, tn, type Key } from '../i18n';
import { Empty } from '../ui/States';

const Reports = graphql(`
  query Reports {
    reports(status: OPEN, first: 50) {
      edges {
        node {
          id reason details createdAt openReportsOnSubject
          reporter { displayName }
          subject {
            __typename
            ... on Event { id title }
            ... on Group { id name }
            ... on Person { id displayName }
          }
        }
      }
    }
  }
`);

const Resolve = graphql(`
  mutation ResolveReport($id: ID!, $decision: ModerationDecision!) {
    resolveReport(id: $id, decision: $decision) { id status }
  }
`);

const ReportCreated = graphql(`
  subscription ReportCreated { reportCreated { id } }
`);

const DECISIONS = ['DISMISS', 'REMOVE_CONTENT', 'WARN', 'BAN'] as const;

export function Moderation() {
  const [{ data, error }, refetch] = useQuery({ query: Reports, requestPolicy: 'network-only' });
  const [result, resolve] = useMutation(Resolve);
  // New reports appear without reloading.
  useSubscription({ query: ReportCreated }, (_, r) => {
    refetch({ requestPolicy: 'network-only' });
    return r;
  });
  const errors = { ...fieldErrors(error), ...fieldErrors(result.error) };
  const reports = data?.reports?.edges.map((e) => e.node) ?? [];
  return (
    <section>
      <h1>{t('moderation_title')}</h1>
      {errors[''] && <p className="error" role="alert">{errors['']}</p>}
      {errors.decision && <p className="error" role="alert">{errors.decision}</p>}
      {reports.length === 0 && <Empty title={t('moderation_empty')} />}
      <ul className="events">
        {reports.map((r) => {
          const s = r.subject;
          const subject = s.__typename === 'Event' ? s.title : s.__typename === 'Group' ? s.name : s.displayName;
          return (
            <li key={r.id} data-testid="report">
              <strong>{subject}</strong> · {r.reason} · {tn('reports_on_subject', r.openReportsOnSubject)}
              <p>{r.details}</p>
              <p className="muted">{r.reporter.displayName}</p>
              <div className="actions">
                {DECISIONS.map((d) => (
                  <button
                    key={d}
                    type="button"
                    className={d === 'BAN' ? 'danger' : 'secondary'}
                    onClick={async () => {
                      await resolve({ id: r.id, decision: d });
                      refetch({ requestPolicy: 'network-only' });
                    }}
                  >
                    {t(`decision_${d}` as Key)}
                  </button>
                ))}
              </div>
            </li>
          );
        })}
      </ul>
      <ModerationLog />
    </section>
  );
}

const Log = graphql(`
  query ModerationLog {
    moderationLog(first: 30) {
      edges { node { action actor { displayName } targetPerson { displayName } reason details createdAt } }
    }
  }
`);

/** The log: every decision, role change and what group managers and
 *  hosts did, newest first. */
function ModerationLog() {
  const [{ data }] = useQuery({ query: Log, requestPolicy: 'network-only' });
  const lines = data?.moderationLog?.edges.map((e) => e.node) ?? [];
  return (
    <>
      <h2>{t('moderation_log')}</h2>
      <ul className="plain" data-testid="moderation-log">
        {lines.map((l, i) => (
          <li key={i}>
            <span className="muted">{formatDate(l.createdAt)}</span> · {l.actor?.displayName ?? t('moderation_log_cli')} ·{' '}
            <strong>{l.action}</strong>
            {l.targetPerson && ` · ${l.targetPerson.displayName}`}
            {l.reason && ` · ${l.reason}`}
            {l.details !== '{}' && <span className="muted"> · {l.details}</span>}
          </li>
        ))}
      </ul>
    </>
  );
}
