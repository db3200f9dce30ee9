// Normalised caches read a partial result (FORBIDDEN fields) as complete:
// the errored fields are null, not missing, so there is no missing-field
// warning and no refetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApolloClient, HttpLink, InMemoryCache, gql as apolloGql } from '@apollo/client';
import { Client, fetchExchange, gql as urqlGql } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { capturingWarnings, endpoint, member } from './lib.mjs';

// A member may read their own viewer, but not reports (moderators) nor
// stats (analysts): two FORBIDDEN fields next to a readable one.
const PARTIAL = `
  query Partial {
    viewer { email person { id } }
    reports(first: 5) { edges { cursor } }
    stats { totals { events } }
  }`;

function countingFetch() {
  const counter = { requests: 0 };
  counter.fetch = (url, options) => {
    counter.requests += 1;
    return fetch(url, options);
  };
  return counter;
}

function assertPartial(data, email) {
  assert.equal(data.viewer.email, email);
  assert.ok('reports' in data && data.reports === null, `reports is null: ${JSON.stringify(data)}`);
  assert.ok('stats' in data && data.stats === null, `stats is null: ${JSON.stringify(data)}`);
}

test('the server answers the errored fields with null and their errors', async () => {
  const { email, token } = await member();
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: PARTIAL }),
  });
  const body = await response.json();
  assertPartial(body.data, email);
  const paths = body.errors.map((e) => [e.path.join('.'), e.extensions.code]).sort();
  assert.deepEqual(paths, [['reports', 'FORBIDDEN'], ['stats', 'FORBIDDEN']]);
});

test('Apollo Client (InMemoryCache) caches the partial result and does not refetch it', async () => {
  const { email, token } = await member();
  const counter = countingFetch();
  const client = new ApolloClient({
    link: new HttpLink({ uri: endpoint, fetch: counter.fetch, headers: { authorization: `Bearer ${token}` } }),
    cache: new InMemoryCache(),
  });
  const query = apolloGql(PARTIAL);
  const { result: [first, second, cached], warnings } = await capturingWarnings(async () => [
    await client.query({ query, errorPolicy: 'all' }),
    await client.query({ query, errorPolicy: 'all', fetchPolicy: 'cache-first' }),
    client.readQuery({ query }),
  ]);
  assertPartial(first.data, email);
  assert.ok(first.error, 'the FORBIDDEN errors reach the caller');
  assertPartial(second.data, email);
  assertPartial(cached, email);
  assert.equal(counter.requests, 1, 'the second query is answered from the cache');
  assert.deepEqual(warnings.filter((w) => /missing/i.test(w)), [], warnings.join('\n'));
});

test('urql Graphcache writes the partial result without a missing-field warning', async () => {
  const { email, token } = await member();
  const counter = countingFetch();
  const client = new Client({
    url: endpoint,
    fetch: counter.fetch,
    fetchOptions: { headers: { authorization: `Bearer ${token}` } },
    exchanges: [cacheExchange({}), fetchExchange],
  });
  const query = urqlGql(PARTIAL);
  const { result: [first, second], warnings } = await capturingWarnings(async () => [
    await client.query(query, {}).toPromise(),
    await client.query(query, {}, { requestPolicy: 'cache-first' }).toPromise(),
  ]);
  assertPartial(first.data, email);
  assert.equal(first.error?.graphQLErrors.length, 2);
  assertPartial(second.data, email);
  assert.equal(second.stale, false, 'no background refetch of a stale result');
  // Graphcache keeps no errored field by design (it asks the server again
  // on the next read): one request per query, never a loop.
  assert.equal(counter.requests, 2);
  // Graphcache warns (code 13) when a field of the result is undefined:
  // what a missing key used to cause.
  assert.deepEqual(warnings.filter((w) => /undefined|missing/i.test(w)), [], warnings.join('\n'));
});
