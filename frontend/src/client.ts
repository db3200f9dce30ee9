import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from 'urql';
import { createClient as createWsClient } from 'graphql-ws';

// The session is the server's HttpOnly cookie alone: no script can read it,
// and the browser sends it with every request and WebSocket handshake of
// this origin. (Bearer tokens are for native clients.) Versions before kept
// a token in localStorage: forget it.
localStorage.removeItem('cortege.token');

/** A boolean the banners follow: listeners hear the current value at
 *  once, then every change. */
function flag(initial: boolean) {
  const listeners = new Set<(value: boolean) => void>();
  let value = initial;
  return {
    subscribe: (listener: (value: boolean) => void): (() => void) => {
      listeners.add(listener);
      listener(value);
      return () => listeners.delete(listener);
    },
    set: (next: boolean) => {
      if (next === value) return;
      value = next;
      listeners.forEach((l) => l(next));
    },
  };
}

/** Whether the server can serve requests: false after an UNAVAILABLE
 *  answer (its database is out of reach), true again with the next answer
 *  that carries data. */
const availability = flag(true);
export const onAvailability = availability.subscribe;
const setAvailable = availability.set;

/** The WebSocket close code for an invalid or revoked session. */
const SESSION_ENDED = 4403;

/** Whether the live connection is up (the offline banner). */
const connectivity = flag(true);
export const onConnectivity = connectivity.subscribe;
const setOnline = connectivity.set;

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/graphql`;
}

/** Ends the session on the client's side once the server says it has ended
 *  (UNAUTHENTICATED, or a 4403 close): one request lets the server clear
 *  the stale cookie, then `reset` starts over as anonymous. */
export async function endSession(reset: () => void): Promise<void> {
  try {
    await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
  } catch {
    // Offline: the cookie is cleared on the next request instead.
  }
  setOnline(true);
  reset();
}

/** A client for the current session: HTTP for queries and mutations,
 *  graphql-ws for subscriptions, reconnecting with backoff while the
 *  problem is passing. `onSessionEnded` is called when the server refuses
 *  the session. */
export function makeClient(onSessionEnded: () => void): { client: Client; dispose: () => void } {
  let ended = false;
  const sessionEnded = () => {
    if (ended) return;
    ended = true;
    onSessionEnded();
  };
  const ws = createWsClient({
    url: wsUrl(),
    retryAttempts: Number.POSITIVE_INFINITY,
    // A refused session is not retried: the app signs out instead.
    shouldRetry: (event) => !(event instanceof CloseEvent && event.code === SESSION_ENDED),
    keepAlive: 20_000,
    on: {
      connected: () => setOnline(true),
      closed: (event) => {
        const code = event instanceof CloseEvent ? event.code : undefined;
        if (code === SESSION_ENDED) sessionEnded();
        // 1000: closed on purpose (no subscription left, or disposed).
        else if (code !== 1000 && !ended) setOnline(false);
      },
    },
  });
  const offline = () => setOnline(false);
  window.addEventListener('offline', offline);
  const client = new Client({
    url: '/graphql',
    exchanges: [
      mapExchange({
        onResult(result) {
          const codes = result.error?.graphQLErrors.map((e) => e.extensions?.code) ?? [];
          if (codes.includes('UNAUTHENTICATED')) sessionEnded();
          if (codes.includes('UNAVAILABLE')) setAvailable(false);
          else if (result.data && !result.stale) setAvailable(true);
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
    fetchOptions: { credentials: 'same-origin' },
    requestPolicy: 'cache-and-network',
  });
  const dispose = () => {
    ended = true;
    window.removeEventListener('offline', offline);
    void ws.dispose();
  };
  return { client, dispose };
}

export interface PublicConfig {
  /** Tile URL template ({z}/{x}/{y}); empty: no tiles, markers only. */
  tileUrl: string;
  tileAttribution: string;
}

/** The served config.json, its fields checked (a missing one is empty). */
function publicConfig(json: unknown): PublicConfig {
  const field = (name: string): string => {
    const value: unknown = typeof json === 'object' && json !== null ? Reflect.get(json, name) : undefined;
    return typeof value === 'string' ? value : '';
  };
  return { tileUrl: field('tileUrl'), tileAttribution: field('tileAttribution') };
}

export async function loadConfig(): Promise<PublicConfig> {
  try {
    const r = await fetch('/config.json');
    if (r.ok) return publicConfig(await r.json());
  } catch {
    // The app works without: no map tiles.
  }
  return { tileUrl: '', tileAttribution: '' };
}
