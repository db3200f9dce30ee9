import type { EventKind } from '../gql/graphql';
import { LineIcon } from './LineIcon';

/** A circle as a path, so that every icon is a list of paths. */
const circle = (cx: number, cy: number, r: number) =>
  `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;

// One line drawing per kind, so a list reads at a glance without the
// label (which is always shown beside it).
const PATHS: Record<EventKind, string[]> = {
  LEAFLETING: ['M6 3h9l3 3v15H6z', 'M9 10h6M9 14h6M9 18h4'],
  DOOR_TO_DOOR: ['M6 21V3h12v18', 'M3 21h18', 'M14.5 12h.01'],
  POSTERING: ['M5 3h14v12H5z', 'M12 15v6M8 21h8', 'M8 7h8M8 11h5'],
  STREET_STALL: ['M3 9l2-5h14l2 5z', 'M5 9v11h14V9', 'M9 20v-6h6v6'],
  CARAVAN: ['M2 6h12v10H2z', 'M14 9h4l3 3v4h-7', circle(6, 18, 2), circle(17, 18, 2)],
  PHONE_BANK: ['M7 2h10v20H7z', 'M11 18h2'],
  SIGNATURE_GATHERING: ['M4 21h16', 'M6 17l10-10 3 3-10 10H6z', 'M14 9l3 3'],
  GROUP_MEETING: [circle(9, 8, 3), 'M3 20c0-3.5 2.7-6 6-6s6 2.5 6 6', circle(17, 9, 2.5), 'M16 14c3 0 5 2.2 5 5.5'],
  PUBLIC_MEETING: ['M12 3a3 3 0 0 1 3 3v5a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3z', 'M5 11a7 7 0 0 0 14 0', 'M12 18v3M8 21h8'],
  RALLY: ['M3 10v4h4l8 5V5L7 10z', 'M18 9a4 4 0 0 1 0 6'],
  TRAINING: ['M3 5c3-1 6-1 9 1 3-2 6-2 9-1v14c-3-1-6-1-9 1-3-2-6-2-9-1z', 'M12 6v14'],
  CARPOOL: ['M3 16v-4l2-5h14l2 5v4z', 'M3 12h18', 'M5 16v3h3v-3M16 16v3h3v-3'],
  ONLINE_MEETING: ['M3 4h18v12H3z', 'M8 20h8M12 16v4'],
  OTHER: ['M12 3l2.8 5.7 6.2.9-4.5 4.4 1.1 6.2L12 17.3l-5.6 2.9 1.1-6.2L3 9.6l6.2-.9z'],
};

export function KindIcon({ kind }: { kind: EventKind }) {
  return (
    <span className={`kind-icon kind-${kind.toLowerCase()}`} aria-hidden="true">
      <LineIcon paths={PATHS[kind]} />
    </span>
  );
}
