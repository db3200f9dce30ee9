import type { CombinedError } from 'urql';

/** Server errors by the input they name (extensions.field, dotted path),
 *  keyed by its last segment ("input.address.city" → "city"); errors that
 *  name no field under "". */
export function fieldErrors(error: CombinedError | undefined | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!error) return out;
  for (const e of error.graphQLErrors) {
    const field = typeof e.extensions?.field === 'string' ? e.extensions.field : '';
    const key = field.split('.').pop() ?? '';
    out[key] = out[key] ? `${out[key]} ${e.message}` : e.message;
  }
  if (error.networkError && !out['']) out[''] = error.networkError.message;
  return out;
}

export function errorCode(error: CombinedError | undefined | null): string | undefined {
  const code = error?.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}
