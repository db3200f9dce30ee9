import type { ReactNode } from 'react';
import type { EventKind } from '../gql/graphql';
import { KIND_LABELS, formatDate, formatKm, t, tn } from '../i18n';
import { paths } from '../routes';
import { KindIcon } from './KindIcon';

/** What a card shows of an action; what a list does not know is left out. */
export interface CardEvent {
  id: string;
  title: string;
  kind?: EventKind;
  startsAt: string;
  cancelled?: boolean;
  city?: string;
  distanceKm?: number | null;
  attendeeCount?: number;
  capacity?: number | null;
  organiser?: string;
}

/** The places still free, "complet", or how many are going when there
 *  is no limit. */
export function seats(e: CardEvent): string | null {
  if (e.attendeeCount == null) return null;
  if (e.capacity == null) return tn('attendees_count', e.attendeeCount);
  const left = e.capacity - e.attendeeCount;
  return left > 0 ? tn('seats_left', left) : t('full');
}

/** One action in a list: its kind's icon, title, date, place, distance and
 *  the places left. The whole card is the link's target (a large tap area
 *  on a phone); `children` adds what a screen needs below (a status, a
 *  button). */
export function EventCard({ event: e, fresh, children }: { event: CardEvent; fresh?: boolean; children?: ReactNode }) {
  const where = [e.city, e.distanceKm != null ? formatKm(e.distanceKm) : null].filter(Boolean).join(' · ');
  const places = seats(e);
  const full = e.capacity != null && e.attendeeCount != null && e.attendeeCount >= e.capacity;
  return (
    <li className={fresh ? 'event-card fresh' : 'event-card'}>
      {e.kind && <KindIcon kind={e.kind} />}
      <div className="event-card-body">
        <a className="event-card-link" href={paths.event(e.id)}>{e.title}</a>
        {fresh && <span className="badge">{t('new_badge')}</span>}
        {e.cancelled && <span className="badge warn">{t('cancelled')}</span>}
        <p className="meta">
          {e.kind && <>{KIND_LABELS[e.kind]} · </>}
          <time dateTime={e.startsAt}>{formatDate(e.startsAt)}</time>
        </p>
        {where && <p className="meta">{where}</p>}
        {(e.organiser || places) && (
          <p className="meta">
            {e.organiser && t('event_by', { name: e.organiser })}
            {e.organiser && places && ' · '}
            {places && <span className={full ? 'seats full' : 'seats'}>{places}</span>}
          </p>
        )}
        {children}
      </div>
    </li>
  );
}
