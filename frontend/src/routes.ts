// The web client's pages as real paths, French as the members read them:
// a link to an action or a group can be shared, and the server renders
// its preview (crates/app/src/links.rs builds the same paths for mails,
// pushes and calendars). Ids are the API's global IDs.

export type Screen =
  | 'home'
  | 'signup'
  | 'login'
  | 'event'
  | 'new'
  | 'feed'
  | 'profile'
  | 'moderation'
  | 'stats'
  | 'groups'
  | 'group'
  | 'friends'
  | 'myActions'
  | 'notifications';

export interface Route {
  screen: Screen;
  /** The id of the event or group shown. */
  id?: string;
}

/** The pages without an id, by their path. */
const PAGES: Record<string, Screen> = {
  '/': 'home',
  '/inscription': 'signup',
  '/connexion': 'login',
  '/nouvelle-action': 'new',
  '/fil': 'feed',
  '/profil': 'profile',
  '/moderation': 'moderation',
  '/statistiques': 'stats',
  '/groupes': 'groups',
  '/amis': 'friends',
  '/mes-actions': 'myActions',
  '/notifications': 'notifications',
};

export const paths = {
  home: '/',
  signup: '/inscription',
  login: '/connexion',
  new: '/nouvelle-action',
  feed: '/fil',
  profile: '/profil',
  moderation: '/moderation',
  stats: '/statistiques',
  groups: '/groupes',
  friends: '/amis',
  myActions: '/mes-actions',
  notifications: '/notifications',
  event: (id: string) => `/actions/${encodeURIComponent(id)}`,
  group: (id: string) => `/groupes/${encodeURIComponent(id)}`,
} as const;

/** The route of a path; an unknown path is the home screen. */
export function parseRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const page = PAGES[path];
  if (page) return { screen: page };
  const [, first, id, ...rest] = path.split('/');
  if (id && rest.length === 0) {
    if (first === 'actions') return { screen: 'event', id: decodeURIComponent(id) };
    if (first === 'groupes') return { screen: 'group', id: decodeURIComponent(id) };
  }
  return { screen: 'home' };
}

/** The hash routes of earlier versions ("#/event/<id>"), still in old
 *  mails and bookmarks, as today's path; null for any other hash. */
export function legacyPath(hash: string): string | null {
  if (!hash.startsWith('#/')) return null;
  const [first = '', id] = hash.slice(2).split('/');
  const legacy: Record<string, string> = {
    '': paths.home,
    signup: paths.signup,
    login: paths.login,
    new: paths.new,
    feed: paths.feed,
    profile: paths.profile,
    moderation: paths.moderation,
    stats: paths.stats,
    groups: paths.groups,
    friends: paths.friends,
    actions: paths.myActions,
    notifications: paths.notifications,
  };
  if (first === 'event' && id) return paths.event(decodeURIComponent(id));
  if (first === 'group' && id) return paths.group(decodeURIComponent(id));
  return legacy[first] ?? paths.home;
}

/** Server paths that are not the app's pages: a link to one is followed
 *  by the browser, not routed in the app. */
const SERVER = /^\/(graphql|calendar|unsubscribe|export|media|health|metrics|assets)(\/|$)/;

/** Whether a click on this link should be routed in the app. */
export function routedHere(link: HTMLAnchorElement, event: MouseEvent): boolean {
  if (event.defaultPrevented || event.button !== 0) return false;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return false;
  if (link.target && link.target !== '_self') return false;
  if (link.hasAttribute('download')) return false;
  const url = new URL(link.href, window.location.href);
  return url.origin === window.location.origin && !SERVER.test(url.pathname);
}

/** Opens a page of the app (a path from `paths`). */
export function go(path: string, replace = false): void {
  if (replace) window.history.replaceState(null, '', path);
  else if (path !== window.location.pathname + window.location.search) window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
  if (!replace) window.scrollTo(0, 0);
}
