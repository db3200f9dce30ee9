import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../gql';
import { fieldErrors } from '../errors';
import { t } from '../i18n';
import { Field } from './Field';
import { text } from '../form';
import { paths } from '../routes';

const SignUpMutation = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { loginCodeSent }
  }
`);

const RequestCode = graphql(`
  mutation RequestLoginCode($email: String!) { requestLoginCode(email: $email) }
`);

const VerifyCode = graphql(`
  mutation VerifyLoginCode($email: String!, $code: String!) {
    verifyLoginCode(email: $email, code: $code) { viewer { email } }
  }
`);

export function SignUp() {
  const [result, signUp] = useMutation(SignUpMutation);
  const [sent, setSent] = useState(false);
  const errors = fieldErrors(result.error);
  return (
    <section className="card narrow">
      <h1>{t('signup_title')}</h1>
      {sent ? (
        <p role="status">
          {t('signup_sent')} <a href={paths.login}>{t('nav_login')}</a>
        </p>
      ) : (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const r = await signUp({
              input: {
                firstName: text(f, 'firstName'),
                lastName: text(f, 'lastName'),
                email: text(f, 'email'),
                acceptsPledge: f.get('acceptsPledge') === 'on',
              },
            });
            if (r.data?.signUp.loginCodeSent) {
              sessionStorage.setItem('cortege.email', text(f, 'email'));
              setSent(true);
            }
          }}
        >
          <Field name="firstName" label={t('first_name')} error={errors.firstName} autoComplete="given-name" required />
          <Field name="lastName" label={t('last_name')} error={errors.lastName} autoComplete="family-name" required />
          <Field name="email" type="email" label={t('email')} error={errors.email} autoComplete="email" required />
          <div className="check">
            <input id="acceptsPledge" name="acceptsPledge" type="checkbox" aria-describedby="pledge-error" />
            <label htmlFor="acceptsPledge">{t('pledge_text')}</label>
          </div>
          {errors.acceptsPledge && <p className="error" id="pledge-error">{errors.acceptsPledge}</p>}
          {errors[''] && <p className="error" role="alert">{errors['']}</p>}
          <button type="submit" disabled={result.fetching}>{t('signup_submit')}</button>
        </form>
      )}
    </section>
  );
}

export function Login({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [email, setEmail] = useState(() => sessionStorage.getItem('cortege.email') ?? '');
  const [asked, setAsked] = useState(false);
  const [request, requestCode] = useMutation(RequestCode);
  const [verify, verifyCode] = useMutation(VerifyCode);
  const errors = { ...fieldErrors(request.error), ...fieldErrors(verify.error) };
  return (
    <section className="card narrow">
      <h1>{t('login_title')}</h1>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (!asked) {
            const r = await requestCode({ email });
            if (r.data?.requestLoginCode) setAsked(true);
            return;
          }
          const code = text(new FormData(e.currentTarget), 'code').trim().toUpperCase();
          const r = await verifyCode({ email, code });
          // The server set the session cookie with its answer.
          if (r.data?.verifyLoginCode) onLoggedIn();
        }}
      >
        <Field
          name="email"
          type="email"
          label={t('email')}
          value={email}
          onChange={setEmail}
          error={errors.email}
          autoComplete="email"
          required
        />
        {asked && (
          <Field name="code" label={t('login_code')} error={errors.code} autoComplete="one-time-code" required />
        )}
        {errors[''] && <p className="error" role="alert">{errors['']}</p>}
        <button type="submit" disabled={request.fetching || verify.fetching}>
          {asked ? t('login_submit') : t('login_send_code')}
        </button>
      </form>
    </section>
  );
}
