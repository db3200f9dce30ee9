import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../gql';
import type { JoinPolicy } from '../gql/graphql';
import { JOIN_POLICIES, joinPolicy } from '../enums';
import { fieldErrors } from '../errors';
import { text } from '../form';
import { t } from '../i18n';
import { Field } from './Field';

const UpdateGroup = graphql(`
  mutation UpdateGroup($groupId: ID!, $input: UpdateGroupInput!) {
    updateGroup(groupId: $groupId, input: $input) { id name description joinPolicy }
  }
`);

/** The managers' form for a group's name, description and join policy. */
export function EditGroup({
  group,
  onSaved,
}: {
  group: { id: string; name: string; description: string; joinPolicy: JoinPolicy };
  onSaved: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [result, update] = useMutation(UpdateGroup);
  const errors = fieldErrors(result.error);
  if (!open) {
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        {t('group_edit')}
      </button>
    );
  }
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        const r = await update({
          groupId: group.id,
          input: { name: text(f, 'name'), description: text(f, 'description'), joinPolicy: joinPolicy(text(f, 'joinPolicy')) },
        });
        if (!r.error) {
          setOpen(false);
          onSaved();
        }
      }}
    >
      <Field name="name" label={t('group_name')} defaultValue={group.name} error={errors.name} required />
      <div className="field">
        <label htmlFor="group-description">{t('description')}</label>
        <textarea id="group-description" name="description" defaultValue={group.description} />
        {errors.description && <p className="error" role="alert">{errors.description}</p>}
      </div>
      <div className="field">
        <label htmlFor="group-policy">{t('group_policy')}</label>
        <select id="group-policy" name="joinPolicy" defaultValue={group.joinPolicy}>
          {JOIN_POLICIES.map((p) => <option key={p} value={p}>{t(`group_policy_${p}`)}</option>)}
        </select>
      </div>
      {errors[''] && <p className="error" role="alert">{errors['']}</p>}
      <button type="submit">{t('save')}</button>
    </form>
  );
}
