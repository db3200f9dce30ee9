import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../gql';
import { fieldErrors } from '../errors';
import { text } from '../form';
import { t } from '../i18n';
import { forgetMyActions } from '../myActionsCopy';
import { paths } from '../routes';

const ExportMyData = graphql(`
  mutation ExportMyData { exportMyData }
`);

const RequestCode = graphql(`
  mutation RequestDeletionCode($email: String!) { requestLoginCode(email: $email) }
`);

const DeleteMyAccount = graphql(`
  mutation DeleteMyAccount($code: String!) { deleteMyAccount(code: $code) }
`);

/** The member's rights over their data: a copy of everything about them,
 *  and the deletion of their account (with a code sent by mail, so that a
 *  forgotten open session cannot do it). */
export function MyData({ email }: { email: string | null }) {
  const [exportResult, exportData] = useMutation(ExportMyData);
  const [asked, setAsked] = useState(false);
  const [, requestCode] = useMutation(RequestCode);
  const [deleteResult, deleteAccount] = useMutation(DeleteMyAccount);
  const errors = { ...fieldErrors(exportResult.error), ...fieldErrors(deleteResult.error) };
  return (
    <section>
      <h2>{t('my_data')}</h2>
      <p className="muted">{t('my_data_help')}</p>
      <button
        type="button"
        className="secondary"
        onClick={async () => {
          const r = await exportData({});
          if (!r.data) return;
          const url = URL.createObjectURL(new Blob([r.data.exportMyData], { type: 'application/json' }));
          const a = document.createElement('a');
          a.href = url;
          a.download = 'cortege-mes-donnees.json';
          a.click();
          URL.revokeObjectURL(url);
        }}
      >
        {t('my_data_export')}
      </button>
      <h3>{t('account_delete')}</h3>
      {!asked ? (
        <button
          type="button"
          className="secondary"
          disabled={!email}
          onClick={async () => {
            if (!email) return;
            const r = await requestCode({ email });
            if (r.data?.requestLoginCode) setAsked(true);
          }}
        >
          {t('account_delete_code')}
        </button>
      ) : (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            if (!window.confirm(t('account_delete_confirm'))) return;
            const r = await deleteAccount({ code: text(new FormData(e.currentTarget), 'code').trim() });
            if (r.data?.deleteMyAccount) {
              forgetMyActions();
              window.history.replaceState(null, '', paths.home);
              window.location.reload();
            }
          }}
        >
          <div className="field">
            <label htmlFor="delete-code">{t('login_code')}</label>
            <input id="delete-code" name="code" autoComplete="one-time-code" required />
            {errors.code && <p className="error" role="alert">{errors.code}</p>}
          </div>
          <button type="submit">{t('account_delete_submit')}</button>
        </form>
      )}
      {errors[''] && <p className="error" role="alert">{errors['']}</p>}
    </section>
  );
}
