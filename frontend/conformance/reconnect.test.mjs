// Reconnects that the graphql-ws client does not give up on: the database
// is stopped under the running server; a client that connects meanwhile is
// closed with 1013 (try again later), retries by itself, and once the
// database is back it is connected and receives live events, as does a
// client whose socket stayed open through the outage. Readiness answers
// 503 quickly during the outage.
//   E2E_PG_STOP, E2E_PG_START  bash commands that stop and start the
//                              server's PostgreSQL
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { base, gql, member } from './lib.mjs';

const stopDatabase = process.env.E2E_PG_STOP;
const startDatabase = process.env.E2E_PG_START;
const SHELL = { stdio: 'inherit', shell: '/bin/bash' };

const NEARBY = `subscription { eventsNearby(near: { lat: 43.2965, lon: 5.3698 }, radiusKm: 30) { title } }`;

/** A graphql-ws client that records its close codes and connections. */
function client(token) {
  const seen = { closes: [], connected: 0 };
  const waiters = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  const c = createClient({
    url: `${base.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { token },
    lazy: false,
    retryAttempts: 30,
    // The client's own backoff, short so the test is quick.
    retryWait: (retries) => new Promise((r) => setTimeout(r, Math.min(100 * 2 ** retries, 1000))),
    on: {
      closed: (event) => { seen.closes.push(event.code); notify(); },
      connected: () => { seen.connected += 1; notify(); },
    },
  });
  /** Resolves once `predicate(seen)` holds (checked on every event). */
  const until = (predicate, what) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(seen)}`)), 30_000);
    const check = () => {
      if (predicate(seen)) { clearTimeout(timer); resolve(); } else waiters.push(check);
    };
    check();
  });
  return { c, seen, until };
}

/** Subscribes and returns a function that resolves with the next title. */
function titles(c) {
  const queue = [];
  const waiting = [];
  c.subscribe({ query: NEARBY }, {
    next: ({ data, errors }) => {
      if (errors) return;
      const title = data.eventsNearby.title;
      const w = waiting.shift();
      if (w) w(title); else queue.push(title);
    },
    error: (e) => { throw e; },
    complete: () => {},
  });
  return () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiting.push(r)));
}

async function createEvent(token, title) {
  const starts = new Date(Date.now() + 2 * 86_400_000);
  const ends = new Date(starts.getTime() + 7_200_000);
  const r = await gql(
    'mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }',
    { i: { title, description: 'Distribution de tracts au marché.', kind: 'LEAFLETING',
      startsAt: starts.toISOString(), endsAt: ends.toISOString(), location: { lat: 43.2965, lon: 5.3698 },
      address: { street: 'Quai du Port', postcode: '13002', city: 'Marseille' } } },
    token,
  );
  assert.ok(r.data?.createEvent?.id, JSON.stringify(r));
}

/** Retries `fn` until it succeeds (the server's pool reconnects on its own). */
async function eventually(fn, what) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try { return await fn(); } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what}: ${e}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function pingSubscribed(c) {
  // A query over the socket answers only once the socket's subscribe
  // before it has been handled.
  await new Promise((resolve, reject) => c.subscribe({ query: '{ __typename }' }, { next: () => {}, error: reject, complete: resolve }));
}

test('after a database outage, graphql-ws clients reconnect and resume by themselves', { skip: !stopDatabase && 'E2E_PG_STOP not set' }, async () => {
  const organiser = await member('Oriane', 'Organise');
  const watcher = await member('Wassim', 'Watch');
  const steady = client(watcher.token);
  await steady.until((s) => s.connected === 1, 'the first connection');
  const steadyNext = titles(steady.c);
  await pingSubscribed(steady.c);

  execSync(stopDatabase, SHELL);
  let restarted = false;
  try {
    const probe = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(1500) });
    assert.equal(probe.status, 503, 'not ready without the database');
    assert.equal((await probe.json()).database, 'unreachable');

    // A client connecting during the outage: 1013, then retries.
    const late = client(watcher.token);
    await late.until((s) => s.closes.includes(1013), 'a 1013 close during the outage');
    assert.equal(late.seen.connected, 0);
    execSync(startDatabase, SHELL);
    restarted = true;
    await late.until((s) => s.connected >= 1, 'the reconnection once the database is back');
    const lateNext = titles(late.c);
    await pingSubscribed(late.c);

    await eventually(() => createEvent(organiser.token, 'Après la panne'), 'creating an event');
    assert.equal(await lateNext(), 'Après la panne');
    assert.equal(await steadyNext(), 'Après la panne');
    assert.ok(late.seen.closes.every((code) => code === 1013), `only 1013 closes: ${late.seen.closes}`);
    assert.deepEqual(steady.seen.closes, [], 'the open socket stayed open');
    await late.c.dispose();
  } finally {
    if (!restarted) execSync(startDatabase, SHELL);
    await steady.c.dispose();
  }
  const ready = await eventually(async () => {
    const r = await fetch(`${base}/health/ready`);
    assert.equal(r.status, 200);
    return r;
  }, 'ready again');
  assert.equal(ready.status, 200);
});
