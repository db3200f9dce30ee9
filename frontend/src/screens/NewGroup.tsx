import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../gql';
import { JOIN_POLICIES, joinPolicy } from '../enums';
import { fieldErrors } from '../errors';
import { text } from '../form';
import { t } from '../i18n';
import { Field } from './Field';
import { go, paths } from '../routes';

const CreateGroup = graphql(`
  mutation CreateGroup($input: CreateGroupInput!) { createGroup(input: $input) { id } }
`);

/** A new local group at its commune (postcode and city): its creator
 *  becomes its first manager, and its page opens. */
export function NewGroup() {
  const [open, setOpen] = useState(false);
  const [result, create] = useMutation(CreateGroup);
  const errors = fieldErrors(result.error);
  if (!open) {
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        {t('group_create')}
      </button>
    );
  }
  return (
    <form
      className="card"
      onSubmit={async (e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        const r = await create({
          input: {
            name: text(f, 'name'),
            description: text(f, 'description'),
            joinPolicy: joinPolicy(text(f, 'joinPolicy')) ?? 'OPEN',
            address: { postcode: text(f, 'postcode'), city: text(f, 'city') },
          },
        });
        const id = r.data?.createGroup.id;
        if (id) go(paths.group(id));
      }}
    >
      <Field name="name" label={t('group_name')} error={errors.name} required />
      <div className="field">
        <label htmlFor="g-description">{t('description')}</label>
        <textarea id="g-description" name="description" />
        {errors.description && <p className="error" role="alert">{errors.description}</p>}
      </div>
      <div className="field">
        <label htmlFor="g-policy">{t('group_policy')}</label>
        <select id="g-policy" name="joinPolicy" defaultValue="OPEN">
          {JOIN_POLICIES.map((p) => <option key={p} value={p}>{t(`group_policy_${p}`)}</option>)}
        </select>
      </div>
      <Field name="postcode" label={t('postcode')} error={errors.postcode} required />
      <Field name="city" label={t('city')} error={errors.city} required />
      {errors[''] && <p className="error" role="alert">{errors['']}</p>}
      <button type="submit" disabled={result.fetching}>{t('group_create_submit')}</button>
    </form>
  );
}
