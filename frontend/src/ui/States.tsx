import { t } from '../i18n';
import { LineIcon } from './LineIcon';

/** What a list says when it has nothing: why, and what to do next. */
export function Empty({ title, hint, action }: { title: string; hint?: string; action?: { href: string; label: string } }) {
  return (
    <div className="empty">
      <LineIcon paths={['M4 7l8-4 8 4v10l-8 4-8-4z', 'M4 7l8 4 8-4M12 11v10']} size={40} stroke={1.5} />
      <p className="empty-title">{title}</p>
      {hint && <p className="muted">{hint}</p>}
      {action && <a className="button" href={action.href}>{action.label}</a>}
    </div>
  );
}

/** Grey cards in the shape of what is coming, while it loads: the page
 *  does not jump when it arrives. Announced once as "loading". */
export function Skeleton({ rows = 3 }: { rows?: number }) {
  return (
    <div className="skeleton" role="status" aria-live="polite">
      <span className="visually-hidden">{t('loading')}</span>
      {Array.from({ length: rows }, (_, i) => (
        <div className="skeleton-card" key={i} aria-hidden="true">
          <span className="sk sk-icon" />
          <span className="sk-lines">
            <span className="sk sk-line" style={{ width: `${70 - i * 10}%` }} />
            <span className="sk sk-line short" />
          </span>
        </div>
      ))}
    </div>
  );
}
