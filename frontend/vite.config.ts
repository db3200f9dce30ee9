import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  server: {
    // `npm run dev` beside `cortege serve` on its default port.
    proxy: {
      '/graphql': { target: 'http://127.0.0.1:8080', ws: true },
      '/media': 'http://127.0.0.1:8080',
      '/config.json': 'http://127.0.0.1:8080',
    },
  },
  build: {
    target: 'es2022',
    sourcemap: false,
    // GraphiQL is a page of its own (served at GET /graphql), so the web
    // client's bundle does not carry it.
    rollupOptions: { input: { main: 'index.html', graphiql: 'graphiql.html' } },
  },
  test: { include: ['src/**/*.test.ts'] },
});
