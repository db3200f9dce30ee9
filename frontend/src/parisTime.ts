/** The instant a Europe/Paris day ("2026-11-23") starts, as RFC 3339:
 *  whatever the browser's own time zone, statistics are counted in
 *  Paris days. */
export function parisMidnight(day: string): string {
  // The offset in force at 00:00 UTC that day, one or two hours after
  // Paris midnight and before the clocks change (01:00 UTC).
  const probe = new Date(`${day}T00:00:00Z`);
  const name = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' })
    .formatToParts(probe)
    .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+01:00';
  const offset = name === 'GMT' ? '+00:00' : name.replace('GMT', '');
  return `${day}T00:00:00${offset}`;
}
