import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../gql';
import { fieldErrors } from '../errors';
import { text } from '../form';
import { t } from '../i18n';
import { Field } from './Field';
import { localInput } from './NewEvent';

const UpdateEvent = graphql(`
  mutation UpdateEvent($id: ID!, $input: UpdateEventInput!) {
    updateEvent(id: $id, input: $input) { id title description startsAt endsAt capacity instructions }
  }
`);

const CancelEvent = graphql(`
  mutation CancelEvent($id: ID!) { cancelEvent(id: $id) { id cancelled } }
`);

interface Editable {
  id: string;
  title: string;
  description: string;
  startsAt: string;
  endsAt: string;
  capacity?: number | null;
  instructions?: string | null;
}

/** The hosts' form to change an action (its attendees hear of it), and
 *  the button that cancels it, after a confirmation. */
export function EditEvent({ event }: { event: Editable }) {
  const [open, setOpen] = useState(false);
  const [result, update] = useMutation(UpdateEvent);
  const [cancelResult, cancel] = useMutation(CancelEvent);
  const errors = { ...fieldErrors(result.error), ...fieldErrors(cancelResult.error) };
  if (!open) {
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        {t('event_edit')}
      </button>
    );
  }
  return (
    <form
      className="card"
      onSubmit={async (e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        const capacity = text(f, 'capacity').trim();
        const r = await update({
          id: event.id,
          input: {
            title: text(f, 'title'),
            description: text(f, 'description'),
            startsAt: new Date(text(f, 'startsAt')).toISOString(),
            endsAt: new Date(text(f, 'endsAt')).toISOString(),
            capacity: capacity ? Number(capacity) : null,
            instructions: text(f, 'instructions'),
          },
        });
        if (r.data) setOpen(false);
      }}
    >
      <Field name="title" label={t('title')} defaultValue={event.title} error={errors.title} required />
      <div className="field">
        <label htmlFor="e-description">{t('description')}</label>
        <textarea id="e-description" name="description" defaultValue={event.description} />
        {errors.description && <p className="error" role="alert">{errors.description}</p>}
      </div>
      <Field name="startsAt" type="datetime-local" label={t('starts_at')} defaultValue={localInput(new Date(event.startsAt))} error={errors.startsAt} required />
      <Field name="endsAt" type="datetime-local" label={t('ends_at')} defaultValue={localInput(new Date(event.endsAt))} error={errors.endsAt} required />
      <Field name="capacity" type="number" label={t('capacity')} defaultValue={event.capacity?.toString() ?? ''} error={errors.capacity} />
      <div className="field">
        <label htmlFor="e-instructions">{t('instructions')}</label>
        <textarea id="e-instructions" name="instructions" defaultValue={event.instructions ?? ''} maxLength={2000} />
      </div>
      {errors[''] && <p className="error" role="alert">{errors['']}</p>}
      <div className="actions">
        <button type="submit" disabled={result.fetching}>{t('save')}</button>
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            if (!window.confirm(t('event_cancel_confirm'))) return;
            const r = await cancel({ id: event.id });
            if (r.data) setOpen(false);
          }}
        >
          {t('event_cancel')}
        </button>
      </div>
    </form>
  );
}
