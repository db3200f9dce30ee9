import { Suspense, lazy, useEffect, useMemo, useRef, useState } from 'react';
import { Provider, useMutation, useQuery } from 'urql';
import { graphql } from './gql';
import { endSession, loadConfig, makeClient, onAvailability, onConnectivity, type PublicConfig } from './client';
import { t } from './i18n';
import { go, legacyPath, parseRoute, paths, routedHere, type Route } from './routes';
import { Nearby } from './screens/Nearby';
import { forgetMyActions } from './myActionsCopy';
import { Nav } from './Nav';
import { Skeleton } from './ui/States';

// Every screen but the home one is a chunk of its own, fetched when first
// opened (and precached by the service worker): the first load carries
// the map and the app's frame only.
const Login = lazy(() => import('./screens/Account').then((m) => ({ default: m.Login })));
const SignUp = lazy(() => import('./screens/Account').then((m) => ({ default: m.SignUp })));
const EventPage = lazy(() => import('./screens/EventPage').then((m) => ({ default: m.EventPage })));
const NewEvent = lazy(() => import('./screens/NewEvent').then((m) => ({ default: m.NewEvent })));
const Feed = lazy(() => import('./screens/Feed').then((m) => ({ default: m.Feed })));
const Profile = lazy(() => import('./screens/Profile').then((m) => ({ default: m.Profile })));
const Moderation = lazy(() => import('./screens/Moderation').then((m) => ({ default: m.Moderation })));
const Stats = lazy(() => import('./screens/Stats').then((m) => ({ default: m.Stats })));
const GroupPage = lazy(() => import('./screens/Groups').then((m) => ({ default: m.GroupPage })));
const Groups = lazy(() => import('./screens/Groups').then((m) => ({ default: m.Groups })));
const Friends = lazy(() => import('./screens/Friends').then((m) => ({ default: m.Friends })));
const MyActions = lazy(() => import('./screens/MyActions').then((m) => ({ default: m.MyActions })));
const Notifications = lazy(() => import('./screens/Notifications').then((m) => ({ default: m.Notifications })));

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

/** Where the app is: the URL's path, followed as the member navigates. */
function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', on);
    // Links to the app's own pages are routed here, without a page load.
    const click = (event: MouseEvent) => {
      const link = event.target instanceof Element ? event.target.closest('a') : null;
      if (!link || !routedHere(link, event)) return;
      event.preventDefault();
      const url = new URL(link.href);
      go(url.pathname + url.search);
    };
    document.addEventListener('click', click);
    return () => {
      window.removeEventListener('popstate', on);
      document.removeEventListener('click', click);
    };
  }, []);
  return route;
}

// A link of an earlier version ("#/event/<id>", in old mails) opens the
// same page at its path.
const legacy = legacyPath(window.location.hash);
if (legacy) window.history.replaceState(null, '', legacy);

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

  let screen;
  switch (route.screen) {
    case 'signup':
      screen = <SignUp />;
      break;
    case 'login':
      screen = <Login onLoggedIn={() => { restart(); go(paths.home); }} />;
      break;
    case 'event':
      screen = <EventPage id={route.id ?? ''} viewer={viewer} config={config} />;
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
      screen = <GroupPage id={route.id ?? ''} viewer={viewer} />;
      break;
    case 'friends':
      screen = <Friends />;
      break;
    case 'myActions':
      screen = <MyActions />;
      break;
    case 'notifications':
      screen = <Notifications />;
      break;
    case 'home':
      screen = <Nearby config={config} viewer={viewer} />;
  }

  return (
    <>
      <a className="skip" href="#main">{t('skip_to_content')}</a>
      <header className="top">
        <a className="brand" href={paths.home}>{t('appName')}</a>
        <Nav
          viewer={viewer}
          current={window.location.pathname}
          onLogout={async () => {
            await logout({});
            forgetMyActions();
            signedIn.current = false;
            restart();
            go(paths.home);
          }}
        />
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
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Skeleton />}>{screen}</Suspense>
      </main>
    </>
  );
}
