import { useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { graphql } from '../gql';
import { fieldErrors } from '../errors';
import { KIND_LABELS, formatDate, t, tn } from '../i18n';
import { KindIcon } from '../ui/KindIcon';
import { Skeleton } from '../ui/States';
import type { Viewer } from './types';
import type { PublicConfig } from '../client';
import { EventMap } from './EventMap';
import { REPORT_REASONS, reportReason } from '../enums';
import { SendFriendRequest } from './Friends';
import { text } from '../form';
import { Outcome } from './Outcome';
import { Duplicate } from './Duplicate';
import { EditEvent } from './EditEvent';
import { CheckIn, HostPanel, Hosts, checkInOpen } from './Hosting';

const EventQuery = graphql(`
  query EventPage($id: ID!) {
    event(id: $id) {
      id title description kind startsAt endsAt cancelled capacity attendeeCount isFull icsUrl
      outcome { ...OutcomeFields }
      address { street postcode city } location { lat lon } addressVisibility instructions online onlineUrl
      organiser { id displayName isFriend }
      hosts { id displayName }
      viewerIsHost attendedCount checkInCode
      viewerRsvp { status guests shareContact attended }
      friendsGoing { id displayName }
      attendees(first: 100) {
        edges { node { id status guests attended contactEmail contactPhone person { id displayName } } }
      }
    }
  }
`);

const RsvpMutation = graphql(`
  mutation Rsvp($eventId: ID!, $shareContact: Boolean) {
    rsvp(eventId: $eventId, shareContact: $shareContact) {
      id status shareContact event { id attendeeCount viewerRsvp { status guests shareContact attended } }
    }
  }
`);

const CancelRsvp = graphql(`
  mutation CancelRsvp($eventId: ID!) {
    cancelRsvp(eventId: $eventId) { id status event { id attendeeCount viewerRsvp { status guests } } }
  }
`);

const ReportMutation = graphql(`
  mutation Report($input: ReportInput!) { report(input: $input) { id } }
`);

const RsvpChanged = graphql(`
  subscription RsvpChanged($eventId: ID!) {
    rsvpChanged(eventId: $eventId) {
      attendeeCount
      rsvp { id status guests person { displayName } }
    }
  }
`);


/** Whether an action starting at `startsAt` takes its outcome now: from
 *  its start to 14 days after (the server holds the rule; this only keeps
 *  the form away when it would be refused). */
function reportable(startsAt: string): boolean {
  const start = new Date(startsAt).getTime();
  const now = Date.now();
  return now >= start && now <= start + 14 * 24 * 3600 * 1000;
}

export function EventPage({ id, viewer, config }: { id: string; viewer: Viewer | null; config: PublicConfig }) {
  const eventId = decodeURIComponent(id);
  const [{ data, fetching }, refetch] = useQuery({ query: EventQuery, variables: { id: eventId } });
  const [rsvpResult, rsvp] = useMutation(RsvpMutation);
  const [cancelResult, cancel] = useMutation(CancelRsvp);
  const [reportResult, report] = useMutation(ReportMutation);
  const [friendResult, addFriend] = useMutation(SendFriendRequest);
  const [reporting, setReporting] = useState(false);
  const [reported, setReported] = useState(false);
  const [copied, setCopied] = useState(false);
  const [liveCount, setLiveCount] = useState<number | null>(null);
  const event = data?.event;
  const [shareContact, setShareContact] = useState<boolean | null>(null);
  const organises = !!event?.attendees;
  useSubscription(
    { query: RsvpChanged, variables: { eventId }, pause: !organises },
    (_, change) => {
      setLiveCount(change.rsvpChanged.attendeeCount);
      refetch({ requestPolicy: 'network-only' });
      return change;
    },
  );
  if (fetching && !event) return <Skeleton rows={1} />;
  if (!event) return <p>{t('error_generic')}</p>;
  const count = liveCount ?? event.attendeeCount;
  const errors = { ...fieldErrors(rsvpResult.error), ...fieldErrors(cancelResult.error) };
  const reportErrors = fieldErrors(reportResult.error);
  const status = event.viewerRsvp?.status;
  const going = status === 'GOING' || status === 'WAITLISTED';
  return (
    <article className="card">
      <h1>{event.title}</h1>
      {event.cancelled && <p className="badge warn">{t('cancelled')}</p>}
      <p className="event-kind muted">
        <KindIcon kind={event.kind} />
        <span>
          {KIND_LABELS[event.kind]} · <time dateTime={event.startsAt}>{formatDate(event.startsAt)}</time>
          {' → '}<time dateTime={event.endsAt}>{formatDate(event.endsAt)}</time>
        </span>
      </p>
      <p>
        {[event.address.street, `${event.address.postcode} ${event.address.city}`].filter(Boolean).join(', ')}
      </p>
      {event.online && (
        <p data-testid="online">
          <span className="badge">{t('online_badge')}</span>{' '}
          {event.onlineUrl
            ? <a href={event.onlineUrl} rel="noopener noreferrer" target="_blank">{t('online_join')}</a>
            : <span className="muted">{t('online_link_note')}</span>}
        </p>
      )}
      {event.addressVisibility === 'ATTENDEES' && !event.address.street && (
        <p className="muted" data-testid="private-address">{t('address_private_note')}</p>
      )}
      {!event.online && (
        <EventMap
          config={config}
          lat={event.location.lat}
          lon={event.location.lon}
          rounded={event.addressVisibility === 'ATTENDEES' && !event.address.street}
        />
      )}
      {event.instructions && (
        <p className="instructions" data-testid="instructions">{t('instructions_title')} : {event.instructions}</p>
      )}
      <p>{t('event_by', { name: event.organiser.displayName })}</p>
      {viewer && viewer.person.id !== event.organiser.id && !event.organiser.isFriend && (
        friendResult.data ? (
          <p role="status">{t('friend_sent')}</p>
        ) : (
          <button type="button" className="secondary" onClick={() => addFriend({ personId: event.organiser.id })}>
            {t('friend_add', { name: event.organiser.displayName })}
          </button>
        )
      )}
      {friendResult.error && <p className="error" role="alert">{fieldErrors(friendResult.error)[''] ?? friendResult.error.message}</p>}
      <p className="description">{event.description}</p>
      <div className="actions">
        <a className="button secondary" href={event.icsUrl} download>{t('add_to_calendar')}</a>
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            const url = window.location.href;
            // The phone's own share sheet where there is one; the link
            // copied otherwise (or when the member closes the sheet).
            try {
              if (navigator.share) {
                await navigator.share({ title: event.title, url });
                return;
              }
            } catch {
              // Cancelled or refused: fall back to copying.
            }
            await navigator.clipboard.writeText(url);
            setCopied(true);
          }}
        >
          {t('share')}
        </button>
        {copied && <p role="status">{t('copied')}</p>}
        {event.viewerIsHost && <Duplicate eventId={eventId} startsAt={event.startsAt} />}
        {event.viewerIsHost && !event.cancelled && <EditEvent event={event} />}
      </div>
      {event.friendsGoing.length > 0 && (
        <p data-testid="friends-going">
          {t('friends_going', { names: event.friendsGoing.map((f) => f.displayName).join(', ') })}
        </p>
      )}
      <p data-testid="attendee-count" aria-live="polite">
        {tn('attendees_count', count)}
        {event.capacity != null && ` / ${event.capacity} ${t('capacity').toLowerCase()}`}
        {event.isFull && ` · ${t('full')}`}
      </p>
      {viewer && !event.cancelled && (
        <div className="actions">
          {status === 'GOING' && <p role="status">{t('rsvp_going')}</p>}
          {status === 'WAITLISTED' && <p role="status">{t('rsvp_waitlisted')}</p>}
          {going ? (
            <button type="button" onClick={() => cancel({ eventId })}>{t('rsvp_cancel')}</button>
          ) : (
            <button type="button" onClick={() => rsvp({ eventId, shareContact: shareContact ?? false })}>{t('rsvp')}</button>
          )}
          {!event.viewerIsHost && (
            <label className="check">
              <input
                type="checkbox"
                checked={shareContact ?? event.viewerRsvp?.shareContact ?? false}
                onChange={(e) => {
                  setShareContact(e.target.checked);
                  // Already answered: the choice is saved at once.
                  if (going) void rsvp({ eventId, shareContact: e.target.checked });
                }}
              />
              {t('share_contact')}
            </label>
          )}
          {going && !event.viewerIsHost && checkInOpen(event.startsAt, event.endsAt) && (
            <CheckIn eventId={eventId} attended={event.viewerRsvp?.attended === true} />
          )}
          {errors[''] && <p className="error" role="alert">{errors['']}</p>}
          {errors.eventId && <p className="error" role="alert">{errors.eventId}</p>}
        </div>
      )}
      {event.hosts.length > 1 || event.viewerIsHost ? <Hosts event={event} viewerId={viewer?.person.id ?? null} /> : null}
      {organises && <HostPanel event={event} />}
      <Outcome
        eventId={eventId}
        outcome={event.outcome ?? null}
        mayReport={event.viewerIsHost && !event.cancelled && reportable(event.startsAt)}
      />
      {viewer && !reported && (
        reporting ? (
          <form
            className="report"
            onSubmit={async (e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              const r = await report({
                input: { subjectId: eventId, reason: reportReason(text(f, 'reason')) ?? 'OTHER', details: text(f, 'details') },
              });
              if (r.data) setReported(true);
            }}
          >
            <div className="field">
              <label htmlFor="reason">{t('report_reason')}</label>
              <select id="reason" name="reason">
                {REPORT_REASONS.map((r) => <option key={r} value={r}>{r}</option>)}
              </select>
            </div>
            <div className="field">
              <label htmlFor="details">{t('report_details')}</label>
              <textarea id="details" name="details" required />
              {reportErrors.details && <p className="error" role="alert">{reportErrors.details}</p>}
            </div>
            {reportErrors[''] && <p className="error" role="alert">{reportErrors['']}</p>}
            <button type="submit">{t('report_send')}</button>
          </form>
        ) : (
          <button type="button" className="secondary" onClick={() => setReporting(true)}>{t('report')}</button>
        )
      )}
      {reported && <p role="status">{t('report_sent')}</p>}
    </article>
  );
}
