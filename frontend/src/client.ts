import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';
import { createClient as createWsClient } from 'graphql-ws';

const TOKEN = 'cortege.token';

export function getToken(): string | null {
  return localStorage.getItem(TOKEN);
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN, token);
  else localStorage.removeItem(TOKEN);
}

type Listener = (online: boolean) => void;
const listeners = new Set<Listener>();
let online = true;

/** Follows whether the live connection is up (the offline banner). */
export function onConnectivity(listener: Listener): () => void {
  listeners.add(listener);
  listener(online);
  return () => listeners.delete(listener);
}

function setOnline(value: boolean) {
  if (value === online) return;
  online = value;
  listeners.forEach((l) => l(value));
}

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/graphql`;
}

/** A client for the current session: HTTP for queries and mutations,
 *  graphql-ws for subscriptions, reconnecting for ever with backoff. */
export function makeClient(): Client {
  const token = getToken();
  const ws = createWsClient({
    url: wsUrl(),
    connectionParams: () => (token ? { token } : {}),
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    keepAlive: 20_000,
    on: {
      connected: () => setOnline(true),
      closed: () => setOnline(false),
    },
  });
  window.addEventListener('offline', () => setOnline(false));
  return new Client({
    url: '/graphql',
    exchanges: [
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
    fetchOptions: (): RequestInit => ({
      headers: token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>),
    }),
    requestPolicy: 'cache-and-network',
  });
}

export interface PublicConfig {
  /** Tile URL template ({z}/{x}/{y}); empty: no tiles, markers only. */
  tileUrl: string;
  tileAttribution: string;
}

export async function loadConfig(): Promise<PublicConfig> {
  try {
    const r = await fetch('/config.json');
    if (r.ok) return (await r.json()) as PublicConfig;
  } catch {
    // The app works without: no map tiles.
  }
  return { tileUrl: '', tileAttribution: '' };
}
