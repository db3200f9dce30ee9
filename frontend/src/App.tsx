import { useEffect, useMemo, useRef, useState } from 'react';
import { Provider, useMutation, useQuery } from 'urql';
import { graphql } from './gql';
import { endSession, loadConfig, makeClient, onAvailability, onConnectivity, type PublicConfig } from './client';
import { t } from './i18n';
import { Login, SignUp } from './screens/Account';
import { Nearby } from './screens/Nearby';
import { EventPage } from './screens/EventPage';
import { NewEvent } from './screens/NewEvent';
import { Feed } from './screens/Feed';
import { Profile } from './screens/Profile';
import { Moderation } from './screens/Moderation';
import { Stats } from './screens/Stats';
import { GroupPage, Groups } from './screens/Groups';
import { Friends } from './screens/Friends';
import { MyActions, forgetMyActions } from './screens/MyActions';
import { Notifications } from './screens/Notifications';

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      email
      roles
      hasAcceptedPledge
      homeLocation { lat lon }
      actionRadiusKm
      person { id displayName firstName lastName photoUrl }
    }
  }
`);

const LogoutMutation = graphql(`
  mutation Logout { logout }
`);

/** The route: the part of the URL after '#'. */
function useRoute(): string {
  const [route, setRoute] = useState(() => window.location.hash.slice(1) || '/');
  useEffect(() => {
    const on = () => setRoute(window.location.hash.slice(1) || '/');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function go(path: string): void {
  window.location.hash = path;
}

export function App() {
  // A new session (signed in, out, or ended by the server) is a new client:
  // a fresh cache, and a WebSocket handshake that carries the new cookie.
  const [epoch, setEpoch] = useState(0);
  const signedIn = useRef(false);
  const restart = () => setEpoch((e) => e + 1);
  // The previous session's WebSocket is closed when the next client is
  // made (not in an effect's cleanup, which StrictMode runs twice).
  const disposePrevious = useRef<(() => void) | null>(null);
  const client = useMemo(() => {
    disposePrevious.current?.();
    const made = makeClient(() => {
      // Anonymous visitors meet UNAUTHENTICATED on member-only screens:
      // only a session that was open has ended.
      if (!signedIn.current) return;
      signedIn.current = false;
      void endSession(restart);
    });
    disposePrevious.current = made.dispose;
    return made.client;
    // Rebuilt per session only (restart and signedIn are stable): epoch
    // is the session, so it is the dependency although unread.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [epoch]);
  const [config, setConfig] = useState<PublicConfig>({ tileUrl: '', tileAttribution: '' });
  useEffect(() => {
    void loadConfig().then(setConfig);
  }, []);
  return (
    <Provider value={client}>
      <Shell key={epoch} config={config} restart={restart} signedIn={signedIn} />
    </Provider>
  );
}

function Shell({
  config,
  restart,
  signedIn,
}: {
  config: PublicConfig;
  restart: () => void;
  signedIn: { current: boolean };
}) {
  const route = useRoute();
  const [{ data, error }, reloadViewer] = useQuery({ query: ViewerQuery });
  // Opened offline (from the service worker), the app knows no viewer yet:
  // ask again when the network is back, and every few seconds until the
  // server answers (the 'online' event can come before the network does).
  useEffect(() => {
    const on = () => reloadViewer({ requestPolicy: 'network-only' });
    window.addEventListener('online', on);
    const retry = error?.networkError ? window.setTimeout(on, 3000) : undefined;
    return () => {
      window.removeEventListener('online', on);
      window.clearTimeout(retry);
    };
  }, [reloadViewer, error]);
  useEffect(() => {
    signedIn.current = Boolean(data?.viewer);
  }, [data, signedIn]);
  const [, logout] = useMutation(LogoutMutation);
  const [online, setOnline] = useState(true);
  useEffect(() => onConnectivity(setOnline), []);
  // A live connection that drops and comes back within seconds (a
  // server restart, a phone between cells) is not worth a banner.
  const [lost, setLost] = useState(false);
  useEffect(() => {
    if (online) {
      setLost(false);
      return;
    }
    const shown = window.setTimeout(() => setLost(true), 4000);
    return () => window.clearTimeout(shown);
  }, [online]);
  const [available, setAvailable] = useState(true);
  useEffect(() => onAvailability(setAvailable), []);
  const viewer = data?.viewer ?? null;
  const roles = viewer?.roles ?? [];
  const [path, arg] = route.split('/').filter(Boolean);

  let screen;
  switch (path) {
    case 'signup':
      screen = <SignUp />;
      break;
    case 'login':
      screen = <Login onLoggedIn={() => { restart(); go('/'); }} />;
      break;
    case 'event':
      screen = <EventPage id={arg ?? ''} viewer={viewer} />;
      break;
    case 'new':
      screen = <NewEvent config={config} viewer={viewer} />;
      break;
    case 'feed':
      screen = <Feed />;
      break;
    case 'profile':
      screen = <Profile config={config} viewer={viewer} />;
      break;
    case 'moderation':
      screen = <Moderation />;
      break;
    case 'stats':
      screen = <Stats />;
      break;
    case 'groups':
      screen = <Groups viewer={viewer} />;
      break;
    case 'group':
      screen = <GroupPage id={arg ?? ''} viewer={viewer} />;
      break;
    case 'friends':
      screen = <Friends />;
      break;
    case 'actions':
      screen = <MyActions />;
      break;
    case 'notifications':
      screen = <Notifications />;
      break;
    default:
      screen = <Nearby config={config} viewer={viewer} />;
  }

  return (
    <>
      <header className="top">
        <a className="brand" href="#/">{t('appName')}</a>
        <nav aria-label="Navigation principale">
          <a href="#/">{t('nav_nearby')}</a>
          <a href="#/groups">{t('nav_groups')}</a>
          {viewer ? (
            <>
              <a href="#/new">{t('nav_new')}</a>
              <a href="#/actions">{t('nav_my_actions')}</a>
              <a href="#/feed">{t('nav_feed')}</a>
              <a href="#/friends">{t('nav_friends')}</a>
              <a href="#/profile">{t('nav_profile')}</a>
              <a href="#/notifications">{t('nav_notifications')}</a>
              {(roles.includes('MODERATOR') || roles.includes('ADMIN')) && (
                <a href="#/moderation">{t('nav_moderation')}</a>
              )}
              {(roles.includes('ANALYST') || roles.includes('ADMIN')) && (
                <a href="#/stats">{t('nav_stats')}</a>
              )}
              <button
                type="button"
                className="link"
                onClick={async () => {
                  await logout({});
                  forgetMyActions();
                  signedIn.current = false;
                  restart();
                  go('/');
                }}
              >
                {t('nav_logout')}
              </button>
            </>
          ) : (
            <>
              <a href="#/login">{t('nav_login')}</a>
              <a href="#/signup">{t('nav_signup')}</a>
            </>
          )}
        </nav>
      </header>
      {!available ? (
        <div className="banner" role="status">
          {t('unavailable')}
        </div>
      ) : (
        lost && (
          <div className="banner" role="status">
            {t('offline')}
          </div>
        )
      )}
      <main>{screen}</main>
    </>
  );
}
