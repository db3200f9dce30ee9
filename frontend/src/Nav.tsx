import { useEffect, useState } from 'react';
import { t } from './i18n';
import { paths } from './routes';
import type { Viewer } from './screens/types';
import { LineIcon } from './ui/LineIcon';

// Line icons for the phone's bottom bar (24-unit grid).
const ICONS = {
  nearby: ['M12 21s-7-6.2-7-11.5a7 7 0 0 1 14 0C19 14.8 12 21 12 21z', 'M9.5 9.5a2.5 2.5 0 1 0 5 0a2.5 2.5 0 1 0-5 0'],
  myActions: ['M4 5h16v16H4z', 'M4 9h16M8 3v4M16 3v4', 'M8.5 15l2.5 2.5 4.5-5'],
  new: ['M12 5v14M5 12h14'],
  feed: ['M4 12h4l3-7 4 14 3-7h2'],
  groups: ['M6 8a3 3 0 1 0 6 0a3 3 0 1 0-6 0', 'M3 20c0-3.5 2.7-6 6-6s6 2.5 6 6', 'M15 6.5a2.5 2.5 0 1 1 0 5M17 14c2.5.5 4 2.6 4 6'],
  login: ['M10 17l5-5-5-5M15 12H3', 'M14 3h5a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-5'],
  signup: ['M9 8a3 3 0 1 0 6 0a3 3 0 1 0-6 0', 'M5 20c0-3.5 3-6 7-6', 'M18 14v6M15 17h6'],
  menu: ['M4 7h16M4 12h16M4 17h16'],
} as const;

function Icon({ name }: { name: keyof typeof ICONS }) {
  return <LineIcon paths={ICONS[name]} size={22} />;
}

/** The main navigation. On a phone: a bar at the bottom, under the thumb,
 *  with the four places a member goes most and a menu for the rest; on a
 *  wider screen, one line in the header. `current` marks the page open. */
export function Nav({ viewer, current, onLogout }: { viewer: Viewer | null; current: string; onLogout: () => void }) {
  const [open, setOpen] = useState(false);
  // A page opened from the menu closes it; so does Escape.
  useEffect(() => setOpen(false), [current]);
  useEffect(() => {
    if (!open) return;
    const key = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, [open]);
  const roles = viewer?.roles ?? [];
  const link = (href: string, label: string, icon?: keyof typeof ICONS) => (
    <li>
      <a href={href} aria-current={current === href ? 'page' : undefined}>
        {icon && <Icon name={icon} />}
        <span>{label}</span>
      </a>
    </li>
  );
  return (
    <nav className={open ? 'main-nav open' : 'main-nav'} aria-label={t('nav_label')}>
      <ul className="primary">
        {link(paths.home, t('nav_nearby'), 'nearby')}
        {viewer ? (
          <>
            {link(paths.myActions, t('nav_my_actions'), 'myActions')}
            {link(paths.new, t('nav_new'), 'new')}
            {link(paths.feed, t('nav_feed'), 'feed')}
          </>
        ) : (
          <>
            {link(paths.groups, t('nav_groups'), 'groups')}
            {link(paths.login, t('nav_login'), 'login')}
            {link(paths.signup, t('nav_signup'), 'signup')}
          </>
        )}
        {viewer && (
          <li className="more">
            <button type="button" aria-expanded={open} aria-controls="more-links" onClick={() => setOpen((o) => !o)}>
              <Icon name="menu" />
              <span>{t('nav_menu')}</span>
            </button>
          </li>
        )}
      </ul>
      {viewer && (
        <ul className="secondary" id="more-links">
          {link(paths.groups, t('nav_groups'))}
          {link(paths.friends, t('nav_friends'))}
          {link(paths.notifications, t('nav_notifications'))}
          {link(paths.profile, t('nav_profile'))}
          {(roles.includes('MODERATOR') || roles.includes('ADMIN')) && link(paths.moderation, t('nav_moderation'))}
          {(roles.includes('ANALYST') || roles.includes('ADMIN')) && link(paths.stats, t('nav_stats'))}
          <li>
            <button type="button" className="link" onClick={onLogout}>{t('nav_logout')}</button>
          </li>
        </ul>
      )}
    </nav>
  );
}
