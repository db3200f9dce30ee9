import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './style.css';
import { registerServiceWorker } from './pwa';
import { preferredLanguage, setLanguage } from './i18n';

const root = document.getElementById('root');
// The catalogue first (English is a chunk of its own), then the app;
// French, built in, if the chunk cannot be fetched.
void setLanguage(preferredLanguage())
  .catch(() => setLanguage('fr'))
  .then(() => {
    if (!root) return;
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  });

registerServiceWorker();
