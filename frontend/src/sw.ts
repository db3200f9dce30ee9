/// <reference lib="webworker" />
// The service worker: the app's files precached (so it opens without a
// network: "Mes actions" then reads its saved copy), and Web Push shown as
// notifications that open the thing they are about. It talks to this
// origin only; the push service is the one the member's browser chose.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope;

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// The app routes after '#': every page of it is index.html. The server's
// own pages (GraphiQL, calendars, unsubscribe links, attendee lists) are not the app's.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/graphql/, /^\/calendar\//, /^\/unsubscribe\//, /^\/export\//, /^\/media\//, /^\/health/, /^\/metrics/],
  }),
);

// A new version takes over at once: the precache holds whole builds, so
// no page is left with files of two versions.
self.addEventListener('install', () => {
  void self.skipWaiting();
});
self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

/** What the server pushes (crates/app/src/notify/webpush.rs). */
interface Push {
  title: string;
  body: string;
  url: string;
  tag?: string;
}

function field(json: unknown, name: string): string | undefined {
  const value: unknown = typeof json === 'object' && json !== null ? Reflect.get(json, name) : undefined;
  return typeof value === 'string' ? value : undefined;
}

function parse(data: PushMessageData | null): Push {
  let json: unknown = null;
  try {
    json = data?.json();
  } catch {
    // Not JSON: shown as it came.
  }
  return {
    title: field(json, 'title') ?? 'Cortège',
    body: field(json, 'body') ?? data?.text() ?? '',
    url: field(json, 'url') ?? '/',
    tag: field(json, 'tag'),
  };
}

/** The page a notification opens, always on this origin: the server's
 *  public URL may name another host than the one the app was installed
 *  from, and a push must never send a member elsewhere. */
function sameOrigin(url: string): string {
  const parsed = new URL(url, self.location.origin);
  return new URL(parsed.pathname + parsed.search + parsed.hash, self.location.origin).href;
}

self.addEventListener('push', (event) => {
  const push = parse(event.data);
  event.waitUntil(
    self.registration.showNotification(push.title, {
      body: push.body,
      tag: push.tag,
      icon: '/icon-192.png',
      badge: '/icon-192.png',
      lang: 'fr',
      data: { url: sameOrigin(push.url) },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = field(event.notification.data, 'url') ?? self.location.origin;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows[0];
      if (open) {
        await open.focus();
        await open.navigate(url);
      } else {
        await self.clients.openWindow(url);
      }
    })(),
  );
});
