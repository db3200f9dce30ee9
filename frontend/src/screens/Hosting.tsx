import { useState } from 'react';
import { useClient, useMutation } from 'urql';
import { graphql } from '../gql';
import { fieldErrors } from '../errors';
import { text } from '../form';
import { t, tn, type Key } from '../i18n';
import type { RsvpStatus } from '../gql/graphql';

/** What the hosts' panel shows of an event (EventPage asks for it). */
export interface HostedEvent {
  id: string;
  startsAt: string;
  viewerIsHost: boolean;
  attendedCount?: number | null;
  checkInCode?: string | null;
  organiser: { id: string };
  hosts: { id: string; displayName: string }[];
  attendees?: {
    edges: {
      node: {
        id: string;
        status: RsvpStatus;
        guests: number;
        attended?: boolean | null;
        contactEmail?: string | null;
        contactPhone?: string | null;
        person: { id: string; displayName: string };
      };
    }[];
  } | null;
}

const AddHost = graphql(`
  mutation AddEventHost($eventId: ID!, $personId: ID!) {
    addEventHost(eventId: $eventId, personId: $personId) { id hosts { id displayName } }
  }
`);

const RemoveHost = graphql(`
  mutation RemoveEventHost($eventId: ID!, $personId: ID!) {
    removeEventHost(eventId: $eventId, personId: $personId) { id hosts { id displayName } }
  }
`);

const MarkAttendance = graphql(`
  mutation MarkAttendance($rsvpId: ID!, $attended: Boolean!) {
    markAttendance(rsvpId: $rsvpId, attended: $attended) { id attended event { id attendedCount } }
  }
`);

const CsvUrl = graphql(`
  query AttendeesCsvUrl($id: ID!) { event(id: $id) { id attendeesCsvUrl } }
`);

const CheckInMutation = graphql(`
  mutation CheckIn($eventId: ID!, $code: String!) {
    checkIn(eventId: $eventId, code: $code) { id attended }
  }
`);

/** The event's team: the organiser first, then the co-hosts, each with a
 *  button to take them off the team (the server says who may). */
export function Hosts({ event, viewerId }: { event: HostedEvent; viewerId: string | null }) {
  const [result, remove] = useMutation(RemoveHost);
  const errors = fieldErrors(result.error);
  return (
    <section>
      <h2>{t('hosts_title')}</h2>
      <ul className="plain" data-testid="hosts">
        {event.hosts.map((h) => (
          <li key={h.id}>
            {h.displayName}
            {h.id === event.organiser.id && <span className="badge">{t('hosts_organiser')}</span>}
            {event.viewerIsHost && h.id !== event.organiser.id && (
              <>
                {' '}
                <button type="button" className="link" onClick={() => remove({ eventId: event.id, personId: h.id })}>
                  {h.id === viewerId ? t('hosts_step_down') : t('hosts_remove', { name: h.displayName })}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      {(errors[''] ?? errors.personId) && <p className="error" role="alert">{errors[''] ?? errors.personId}</p>}
    </section>
  );
}

/** For the hosts: the check-in code to show, who came, the attendee list
 *  with attendance and shared contacts, and its CSV download. */
export function HostPanel({ event }: { event: HostedEvent }) {
  const client = useClient();
  const [addResult, addHost] = useMutation(AddHost);
  const [markResult, mark] = useMutation(MarkAttendance);
  const errors = { ...fieldErrors(addResult.error), ...fieldErrors(markResult.error) };
  const hostIds = new Set(event.hosts.map((h) => h.id));
  const marking = markingOpen(event.startsAt);
  return (
    <section>
      <h2>{t('attendees')}</h2>
      {event.viewerIsHost && event.checkInCode && (
        <p>
          {t('check_in_code')} <strong className="code" data-testid="check-in-code">{event.checkInCode}</strong>
        </p>
      )}
      {event.attendedCount != null && (
        <p data-testid="attended-count">{tn('attended_count', event.attendedCount)}</p>
      )}
      {event.viewerIsHost && (
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            // A fresh link each time: it only works for a few minutes.
            const r = await client.query(CsvUrl, { id: event.id }, { requestPolicy: 'network-only' }).toPromise();
            const url = r.data?.event?.attendeesCsvUrl;
            if (url) window.location.assign(url);
          }}
        >
          {t('attendees_csv')}
        </button>
      )}
      {(errors[''] ?? errors.personId) && <p className="error" role="alert">{errors[''] ?? errors.personId}</p>}
      <ul data-testid="attendees">
        {event.attendees?.edges.map(({ node: a }) => (
          <li key={a.id}>
            <span>{a.person.displayName}</span> {a.guests > 0 && `(+${a.guests})`} · {t(`rsvp_status_${a.status}` as Key)}
            {a.attended === true && <span className="badge">{t('attended_yes')}</span>}
            {a.attended === false && <span className="badge warn">{t('attended_no')}</span>}
            {(a.contactEmail ?? a.contactPhone) && (
              <span className="muted"> · {[a.contactEmail, a.contactPhone].filter(Boolean).join(' · ')}</span>
            )}
            {event.viewerIsHost && (
              <span className="actions inline">
                {marking && (
                  <button
                    type="button"
                    className="link"
                    onClick={() => mark({ rsvpId: a.id, attended: a.attended !== true })}
                  >
                    {a.attended === true
                      ? t('attended_mark_absent', { name: a.person.displayName })
                      : t('attended_mark_present', { name: a.person.displayName })}
                  </button>
                )}
                {!hostIds.has(a.person.id) && (
                  <button
                    type="button"
                    className="link"
                    onClick={() => addHost({ eventId: event.id, personId: a.person.id })}
                  >
                    {t('hosts_add', { name: a.person.displayName })}
                  </button>
                )}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Whether hosts may mark attendance: an hour before the start to 14
 *  days after (the server's rule, mirrored to show the buttons then). */
export function markingOpen(startsAt: string, now = Date.now()): boolean {
  const start = new Date(startsAt).getTime();
  return now >= start - 3600_000 && now <= start + 14 * 86_400_000;
}

/** Whether check-in is open: an hour before the start to six hours after
 *  it or the end (the server holds the rule; this only hides the form). */
export function checkInOpen(startsAt: string, endsAt: string, now = Date.now()): boolean {
  const start = new Date(startsAt).getTime();
  const closes = Math.max(start + 6 * 3600_000, new Date(endsAt).getTime());
  return now >= start - 3600_000 && now <= closes;
}

/** "J'y suis": the attendee types the code the hosts show. */
export function CheckIn({ eventId, attended }: { eventId: string; attended: boolean }) {
  const [result, checkIn] = useMutation(CheckInMutation);
  const [done, setDone] = useState(attended);
  const errors = fieldErrors(result.error);
  if (done) return <p role="status">{t('check_in_done')}</p>;
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        const r = await checkIn({ eventId, code: text(new FormData(e.currentTarget), 'code') });
        if (r.data?.checkIn.attended) setDone(true);
      }}
    >
      <div className="field">
        <label htmlFor="check-in">{t('check_in_label')}</label>
        <input id="check-in" name="code" autoComplete="off" autoCapitalize="characters" required maxLength={12} />
        {(errors.code ?? errors['']) && <p className="error" role="alert">{errors.code ?? errors['']}</p>}
      </div>
      <button type="submit">{t('check_in')}</button>
    </form>
  );
}
