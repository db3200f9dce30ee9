import type { CombinedError } from 'urql';
import { t } from './i18n';

/** What a person reads for an error: the server's words, except where the
 *  code says more plainly what happened (a passing outage). */
function messageOf(e: CombinedError['graphQLErrors'][number]): string {
  if (e.extensions?.code === 'UNAVAILABLE') return t('unavailable');
  if (e.extensions?.code === 'INTERNAL') return t('error_generic');
  return e.message;
}

/** Server errors by the input they name (extensions.field, dotted path),
 *  keyed by its last segment ("input.address.city" → "city"); errors that
 *  name no field under "". */
export function fieldErrors(error: CombinedError | undefined | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!error) return out;
  for (const e of error.graphQLErrors) {
    const field = typeof e.extensions?.field === 'string' ? e.extensions.field : '';
    const key = field.split('.').pop() ?? '';
    const message = messageOf(e);
    out[key] = out[key] ? `${out[key]} ${message}` : message;
  }
  if (error.networkError && !out['']) out[''] = t('unavailable');
  return out;
}

export function errorCode(error: CombinedError | undefined | null): string | undefined {
  const code = error?.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}
