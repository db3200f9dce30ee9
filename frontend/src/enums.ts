// The API's enums as the forms read them: a form field is a string, and
// these turn it into the generated type after checking it is one of its
// values (never a blind cast).
import type { EventKind, ReportReason } from './gql/graphql';
import { KIND_LABELS } from './i18n';

export const EVENT_KINDS = Object.keys(KIND_LABELS) as EventKind[];

export function eventKind(value: string): EventKind | undefined {
  return EVENT_KINDS.find((k) => k === value);
}

export const REPORT_REASONS: ReportReason[] = [
  'OPPOSING_ACTIVITY', 'SPAM', 'HARASSMENT', 'HATE', 'MISINFORMATION', 'PRIVACY', 'OTHER',
];

export function reportReason(value: string): ReportReason | undefined {
  return REPORT_REASONS.find((r) => r === value);
}
