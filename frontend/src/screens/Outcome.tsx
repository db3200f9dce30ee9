import { useMutation } from 'urql';
import { graphql } from '../gql';
import type { EventOutcomeInput } from '../gql/graphql';
import { fieldErrors } from '../errors';
import { formatDate, t, type Key } from '../i18n';
import { Field } from './Field';

/** The figures an action may report, in the order they are shown. */
const FIGURES = ['doorsKnocked', 'conversations', 'leaflets', 'posters', 'signatures', 'contacts'] as const;
type Figure = (typeof FIGURES)[number];

export const OutcomeFields = graphql(`
  fragment OutcomeFields on EventOutcome {
    leaflets doorsKnocked conversations posters signatures contacts notes reportedAt
    reportedBy { displayName }
  }
`);

const ReportOutcome = graphql(`
  mutation ReportOutcome($eventId: ID!, $input: EventOutcomeInput!) {
    reportOutcome(eventId: $eventId, input: $input) { id outcome { ...OutcomeFields } }
  }
`);

/** The reported figures, as the event page receives them. */
export interface Reported {
  leaflets?: number | null;
  doorsKnocked?: number | null;
  conversations?: number | null;
  posters?: number | null;
  signatures?: number | null;
  contacts?: number | null;
  notes?: string | null;
  reportedAt: string;
  reportedBy?: { displayName: string } | null;
}

/** A figure of the form: empty is "not counted". */
function count(f: FormData, name: Figure): number | undefined {
  const raw = f.get(name);
  return typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : undefined;
}

/** An action's outcome: what it achieved, and for its organisers, from its
 *  start to two weeks after, the form that reports it. */
export function Outcome({
  eventId,
  outcome,
  mayReport,
}: {
  eventId: string;
  outcome: Reported | null;
  mayReport: boolean;
}) {
  const [result, report] = useMutation(ReportOutcome);
  const errors = fieldErrors(result.error);
  if (!outcome && !mayReport) return null;
  return (
    <section data-testid="outcome">
      <h2>{t('outcome_title')}</h2>
      {outcome && (
        <>
          <ul className="plain">
            {FIGURES.filter((f) => outcome[f] != null).map((f) => (
              <li key={f}>{t(`outcome_${f}` satisfies Key)} : {outcome[f]}</li>
            ))}
          </ul>
          {outcome.notes && <p>{outcome.notes}</p>}
          <p className="muted">
            {t('outcome_by', { name: outcome.reportedBy?.displayName ?? '—', when: formatDate(outcome.reportedAt) })}
          </p>
        </>
      )}
      {mayReport && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const input: EventOutcomeInput = {};
            for (const figure of FIGURES) input[figure] = count(f, figure);
            const notes = f.get('notes');
            if (typeof notes === 'string' && notes.trim()) input.notes = notes;
            void report({ eventId, input });
          }}
        >
          <p className="muted">{t('outcome_help')}</p>
          {FIGURES.map((figure) => (
            <Field
              key={figure}
              name={figure}
              type="number"
              label={t(`outcome_${figure}` satisfies Key)}
              defaultValue={outcome?.[figure] != null ? String(outcome[figure]) : ''}
              error={errors[figure]}
            />
          ))}
          <div className="field">
            <label htmlFor="notes">{t('outcome_notes')}</label>
            <textarea id="notes" name="notes" defaultValue={outcome?.notes ?? ''} maxLength={2000} />
            {errors.notes && <p className="error" role="alert">{errors.notes}</p>}
          </div>
          {errors[''] && <p className="error" role="alert">{errors['']}</p>}
          <button type="submit">{t('outcome_report')}</button>
        </form>
      )}
    </section>
  );
}
