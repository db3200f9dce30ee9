// GraphiQL, built from npm with the web client and served by cortege serve
// from its own origin: no CDN sees who explores the API, and no third
// party's script runs on the movement's origin. The session cookie rides
// along (same origin), queries over HTTP, subscriptions over WebSocket.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/style.css';
import './graphiql.css';

const url = new URL('/graphql', window.location.href).toString();
const fetcher = createGraphiQLFetcher({ url, subscriptionUrl: url.replace(/^http/, 'ws') });

const root = document.getElementById('graphiql');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <GraphiQL fetcher={fetcher} />
    </StrictMode>,
  );
}
