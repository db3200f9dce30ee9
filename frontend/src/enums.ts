// The API's enums as the forms read them: a form field is a string, and
// these turn it into the generated type after checking it is one of its
// values (never a blind cast).
import type { DigestFrequency, EventKind, JoinPolicy, ReportReason, StatsDimension } from './gql/graphql';

/** Every kind, in the order the forms offer them. */
export const EVENT_KINDS = [
  'LEAFLETING', 'DOOR_TO_DOOR', 'POSTERING', 'STREET_STALL', 'CARAVAN', 'PHONE_BANK',
  'SIGNATURE_GATHERING', 'GROUP_MEETING', 'PUBLIC_MEETING', 'RALLY', 'TRAINING', 'CARPOOL',
  'ONLINE_MEETING', 'OTHER',
] as const satisfies readonly EventKind[];

// Fails to compile when the schema gains a kind this list lacks.
type MissingKind = Exclude<EventKind, (typeof EVENT_KINDS)[number]>;
export const ALL_KINDS_LISTED: [MissingKind] extends [never] ? true : never = true;

export function eventKind(value: string): EventKind | undefined {
  return EVENT_KINDS.find((k) => k === value);
}

export const REPORT_REASONS = [
  'OPPOSING_ACTIVITY', 'SPAM', 'HARASSMENT', 'HATE', 'MISINFORMATION', 'PRIVACY', 'OTHER',
] as const satisfies readonly ReportReason[];

export const STATS_DIMENSIONS = [
  'DEPARTMENT', 'REGION', 'COMMUNE', 'KIND', 'MONTH', 'WEEK', 'DAY',
] as const satisfies readonly StatsDimension[];

export function statsDimension(value: string): StatsDimension | undefined {
  return STATS_DIMENSIONS.find((d) => d === value);
}

export function reportReason(value: string): ReportReason | undefined {
  return REPORT_REASONS.find((r) => r === value);
}

export const DIGESTS = ['NEVER', 'DAILY', 'WEEKLY'] as const satisfies readonly DigestFrequency[];

export function digestFrequency(value: string): DigestFrequency | undefined {
  return DIGESTS.find((d) => d === value);
}

export const JOIN_POLICIES = ['OPEN', 'APPROVAL'] as const satisfies readonly JoinPolicy[];

export function joinPolicy(value: string): JoinPolicy | undefined {
  return JOIN_POLICIES.find((p) => p === value);
}
