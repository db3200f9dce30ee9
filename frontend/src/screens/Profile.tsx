import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../gql';
import type { PublicConfig } from '../client';
import { fieldErrors } from '../errors';
import { LANGUAGES, language, setLanguage, t, type Language } from '../i18n';
import { Field } from './Field';
import { MyData } from './MyData';
import { MapPicker } from './NewEvent';
import type { Viewer } from './types';
import { text } from '../form';
import { paths } from '../routes';

const UpdateProfile = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) { homeLocation { lat lon } actionRadiusKm }
  }
`);

const AcceptPledge = graphql(`
  mutation AcceptPledge { acceptPledge { hasAcceptedPledge } }
`);

/** uploadPhoto over the GraphQL multipart request protocol (urql's fetch
 *  exchange does not do multipart). */
async function uploadPhoto(file: File): Promise<string | null> {
  const body = new FormData();
  body.append(
    'operations',
    JSON.stringify({ query: 'mutation($file: Upload!) { uploadPhoto(file: $file) { photoUrl } }', variables: { file: null } }),
  );
  body.append('map', JSON.stringify({ 0: ['variables.file'] }));
  body.append('0', file);
  // A multipart POST with the session cookie must carry this header, which
  // a cross-site form cannot add (CSRF).
  const r = await fetch('/graphql', { method: 'POST', body, headers: { 'x-cortege-csrf': '1' } });
  const json: unknown = await r.json();
  const errors: unknown = typeof json === 'object' && json !== null ? Reflect.get(json, 'errors') : undefined;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  const message: unknown = typeof first === 'object' && first !== null ? Reflect.get(first, 'message') : undefined;
  return typeof message === 'string' ? message : null;
}

export function Profile({ config, viewer }: { config: PublicConfig; viewer: Viewer | null }) {
  const [result, update] = useMutation(UpdateProfile);
  const [, accept] = useMutation(AcceptPledge);
  const [home, setHome] = useState(viewer?.homeLocation ?? null);
  const [photoError, setPhotoError] = useState<string | null>(null);
  const [photoSaved, setPhotoSaved] = useState(false);
  const errors = fieldErrors(result.error);
  if (!viewer) return <p><a href={paths.login}>{t('nav_login')}</a></p>;
  return (
    <section className="card">
      <h1>{t('profile_title')}</h1>
      <p>{viewer.person.displayName}</p>
      <div className="field">
        <label htmlFor="photo">{t('photo')}</label>
        <input
          id="photo"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            if (!file) return;
            const error = await uploadPhoto(file);
            setPhotoError(error);
            setPhotoSaved(!error);
          }}
        />
        {photoError && <p className="error" role="alert">{photoError}</p>}
        {photoSaved && <p role="status">✓</p>}
      </div>
      {!viewer.hasAcceptedPledge && (
        <div className="notice">
          <p>{t('pledge_needed')}</p>
          <p>{t('pledge_text')}</p>
          <button type="button" onClick={() => accept({})}>{t('pledge_accept')}</button>
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          void update({
            input: {
              postcode: text(f, 'postcode') || undefined,
              actionRadiusKm: Number(f.get('actionRadiusKm')),
              homeLocation: home ?? undefined,
            },
          });
        }}
      >
        <Field name="postcode" label={t('postcode')} error={errors.postcode} />
        <Field name="actionRadiusKm" type="number" label={t('radius_km')} defaultValue={String(viewer.actionRadiusKm)} error={errors.actionRadiusKm} />
        <p className="muted">{t('home')}</p>
        <MapPicker config={config} centre={viewer.homeLocation ?? { lat: 48.8566, lon: 2.3522 }} value={home} onPick={setHome} />
        {errors[''] && <p className="error" role="alert">{errors['']}</p>}
        <button type="submit">{t('save')}</button>
      </form>
      <div className="field">
        <label htmlFor="language">{t('language')}</label>
        <select
          id="language"
          value={language()}
          onChange={async (e) => {
            const lang = Object.keys(LANGUAGES).find((l): l is Language => l === e.target.value);
            if (!lang) return;
            await setLanguage(lang, true);
            window.location.reload();
          }}
        >
          {Object.entries(LANGUAGES).map(([code, name]) => <option key={code} value={code} lang={code}>{name}</option>)}
        </select>
      </div>
      <MyData email={viewer.email ?? null} />
    </section>
  );
}
