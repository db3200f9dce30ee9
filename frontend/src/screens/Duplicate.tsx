import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../gql';
import { fieldErrors } from '../errors';
import { text } from '../form';
import { t } from '../i18n';
import { Field } from './Field';
import { localInput } from './NewEvent';
import { go, paths } from '../routes';

const DuplicateEvent = graphql(`
  mutation DuplicateEvent($eventId: ID!, $startsAt: DateTime!) {
    duplicateEvent(eventId: $eventId, startsAt: $startsAt) { id }
  }
`);

/** "Do it again": the organiser picks a new start, the copy opens. */
export function Duplicate({ eventId, startsAt }: { eventId: string; startsAt: string }) {
  const [open, setOpen] = useState(false);
  const [result, duplicate] = useMutation(DuplicateEvent);
  const errors = fieldErrors(result.error);
  if (!open) {
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        {t('duplicate')}
      </button>
    );
  }
  // A week later by default, at the same time of day.
  const next = new Date(Math.max(new Date(startsAt).getTime(), Date.now()) + 7 * 86_400_000);
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        const r = await duplicate({ eventId, startsAt: new Date(text(f, 'startsAt')).toISOString() });
        const id = r.data?.duplicateEvent.id;
        if (id) go(paths.event(id));
      }}
    >
      <Field name="startsAt" type="datetime-local" label={t('duplicate_at')} defaultValue={localInput(next)} error={errors.startsAt} required />
      {errors[''] && <p className="error" role="alert">{errors['']}</p>}
      <button type="submit">{t('duplicate_submit')}</button>
    </form>
  );
}
