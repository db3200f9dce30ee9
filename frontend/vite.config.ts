import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  plugins: [
    react(),
    // The installable app: a manifest, and src/sw.ts (precache, push)
    // built with the list of this build's files. Registered by src/pwa.ts.
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      injectManifest: {
        rollupFormat: 'iife',
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'],
        // GraphiQL is for developers online; the precache is the app's.
        globIgnores: ['graphiql.html', 'assets/graphiql-*'],
      },
      manifest: {
        name: 'Cortège',
        short_name: 'Cortège',
        description: 'Les actions du mouvement autour de vous',
        lang: 'fr',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#faf8f6',
        theme_color: '#b3173b',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        shortcuts: [{ name: 'Mes actions', url: '/#/actions' }],
      },
    }),
  ],
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
    // .vite/manifest.json: the server preloads a shared page's screen
    // (crates/server/src/pages.rs) by its chunk's hashed name.
    manifest: true,
    // GraphiQL is a page of its own (served at GET /graphql), so the web
    // client's bundle does not carry it.
    rollupOptions: { input: { main: 'index.html', graphiql: 'graphiql.html' } },
  },
  test: { include: ['src/**/*.test.ts'] },
});
