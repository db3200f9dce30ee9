import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql';
import type { ActivityKind, DigestFrequency } from '../gql/graphql';
import { DIGESTS, digestFrequency } from '../enums';
import { fieldErrors } from '../errors';
import { ACTIVITY_LABELS, formatDate, t } from '../i18n';
import { pushSupported, subscribeThisDevice, thisDeviceEndpoint } from '../pwa';
import { paths } from '../routes';

const Settings = graphql(`
  query NotificationSettings {
    vapidPublicKey
    viewer {
      digest
      calendarFeedUrl
      notificationPreferences { kind email push }
      pushSubscriptions { id endpoint createdAt lastSuccessAt }
    }
  }
`);

const SetPreferences = graphql(`
  mutation SetNotificationPreferences($input: [NotificationPreferenceInput!]!, $digest: DigestFrequency) {
    setNotificationPreferences(input: $input, digest: $digest) {
      digest
      notificationPreferences { kind email push }
    }
  }
`);

const Register = graphql(`
  mutation RegisterPushSubscription($input: PushSubscriptionInput!) {
    registerPushSubscription(input: $input) { id endpoint createdAt lastSuccessAt }
  }
`);

const Remove = graphql(`
  mutation RemovePushSubscription($id: ID!) { removePushSubscription(id: $id) }
`);

const ResetCalendar = graphql(`
  mutation ResetCalendarFeedUrl { resetCalendarFeedUrl { calendarFeedUrl } }
`);

// The server's rules (ActivityKind::channels), mirrored so the screen
// does not offer what it would refuse: new actions nearby come only in the
// digest, and moderation warnings always by mail.
const DIGEST_ONLY: ActivityKind = 'EVENT_CREATED_NEARBY';
const MAIL_ALWAYS: ActivityKind = 'MODERATION_WARNING';

/** Where a push endpoint lives, for telling devices apart. */
function service(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

export function Notifications() {
  const [{ data, fetching }, refetch] = useQuery({ query: Settings });
  const [saved, save] = useMutation(SetPreferences);
  const [registered, register] = useMutation(Register);
  const [, remove] = useMutation(Remove);
  const [, reset] = useMutation(ResetCalendar);
  const [here, setHere] = useState<string | null>(null);
  const [pushError, setPushError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  // The digest shows the member's choice at once, and its saves go one
  // after the other: the arrow keys on a closed list change it a step
  // at a time, and the last step must be the one that stays.
  const [digest, setDigest] = useState<DigestFrequency | null>(null);
  const saving = useRef<Promise<unknown>>(Promise.resolve());
  useEffect(() => {
    void thisDeviceEndpoint().then(setHere);
  }, []);
  const viewer = data?.viewer;
  if (!viewer) {
    return fetching ? <p className="muted">{t('loading')}</p> : <p><a href={paths.login}>{t('nav_login')}</a></p>;
  }
  const errors = fieldErrors(saved.error ?? registered.error);
  const registeredHere = viewer.pushSubscriptions.some((s) => s.endpoint === here);

  return (
    <section className="card">
      <h1>{t('notifications_title')}</h1>
      <table className="prefs">
        <thead>
          <tr>
            <th scope="col">{t('notifications_kind')}</th>
            <th scope="col">{t('notifications_email')}</th>
            <th scope="col">{t('notifications_push')}</th>
          </tr>
        </thead>
        <tbody>
          {viewer.notificationPreferences.map((p) => {
            const label = ACTIVITY_LABELS[p.kind] ?? p.kind;
            return (
              // Uncontrolled boxes answer the tap at once; the row is
              // redrawn from the server's answer (a refusal puts it back).
              <tr key={`${p.kind}-${p.email}-${p.push}`}>
                <th scope="row">{label}</th>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${label} : ${t('notifications_email')}`}
                    defaultChecked={p.email}
                    disabled={p.kind === DIGEST_ONLY || p.kind === MAIL_ALWAYS}
                    onChange={(e) => void save({ input: [{ kind: p.kind, email: e.target.checked }] })}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${label} : ${t('notifications_push')}`}
                    defaultChecked={p.push}
                    disabled={p.kind === DIGEST_ONLY}
                    onChange={(e) => void save({ input: [{ kind: p.kind, push: e.target.checked }] })}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted">{t('notifications_rules')}</p>

      <div className="field">
        <label htmlFor="digest">{t('digest')}</label>
        <select
          id="digest"
          value={digest ?? viewer.digest}
          onChange={(e) => {
            const chosen = digestFrequency(e.target.value);
            if (!chosen) return;
            setDigest(chosen);
            saving.current = saving.current.then(() => save({ input: [], digest: chosen }));
          }}
        >
          {DIGESTS.map((d) => (
            <option key={d} value={d}>{t(`digest_${d}`)}</option>
          ))}
        </select>
      </div>
      {saved.data && !saved.error && <p role="status">{t('saved')}</p>}
      {errors[''] && <p className="error" role="alert">{errors['']}</p>}

      <h2>{t('devices_title')}</h2>
      {viewer.pushSubscriptions.length === 0 && <p>{t('devices_none')}</p>}
      <ul className="plain" data-testid="devices">
        {viewer.pushSubscriptions.map((s) => (
          <li key={s.id}>
            {service(s.endpoint)}
            {s.endpoint === here && <span className="badge">{t('devices_this_one')}</span>}
            <div className="muted">
              {t('devices_since', { when: formatDate(s.createdAt) })}
              {s.lastSuccessAt && ` · ${t('devices_last', { when: formatDate(s.lastSuccessAt) })}`}
            </div>
            <button type="button" className="link" onClick={() => void remove({ id: s.id }).then(() => refetch({ requestPolicy: 'network-only' }))}>
              {t('devices_remove')}
            </button>
          </li>
        ))}
      </ul>
      {pushSupported() && !registeredHere && (
        <button
          type="button"
          onClick={async () => {
            setPushError(null);
            try {
              const input = await subscribeThisDevice(data.vapidPublicKey);
              const r = await register({ input });
              if (!r.error) {
                setHere(input.endpoint);
                refetch({ requestPolicy: 'network-only' });
              }
            } catch {
              setPushError(t('devices_refused'));
            }
          }}
        >
          {t('devices_add')}
        </button>
      )}
      {pushError && <p className="error" role="alert">{pushError}</p>}

      <h2>{t('calendar_title')}</h2>
      <p className="muted">{t('calendar_help')}</p>
      <div className="copy">
        <input readOnly aria-label={t('calendar_title')} value={viewer.calendarFeedUrl} onFocus={(e) => e.target.select()} />
        <button
          type="button"
          onClick={async () => {
            await navigator.clipboard.writeText(viewer.calendarFeedUrl);
            setCopied(true);
          }}
        >
          {t('copy')}
        </button>
      </div>
      {copied && <p role="status">{t('copied')}</p>}
      <button type="button" className="link" onClick={() => { setCopied(false); void reset({}); }}>
        {t('calendar_reset')}
      </button>
    </section>
  );
}
