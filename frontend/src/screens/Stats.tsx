import { useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import { download, toCsv } from '../csv';
import { fieldErrors } from '../errors';
import { t, type Key } from '../i18n';
import { STATS_DIMENSIONS, statsDimension } from '../enums';

const Activity = graphql(`
  query StatsActivity($groupBy: StatsDimension!) {
    stats {
      activity(groupBy: $groupBy) { key label events rsvps participants doorsKnocked leaflets }
    }
  }
`);

const DIMENSIONS = STATS_DIMENSIONS;
type Column = 'key' | 'label' | 'events' | 'rsvps' | 'participants' | 'doorsKnocked' | 'leaflets';

export function Stats() {
  const [groupBy, setGroupBy] = useState<(typeof DIMENSIONS)[number]>('DEPARTMENT');
  const [sort, setSort] = useState<{ by: Column; desc: boolean }>({ by: 'events', desc: true });
  const [{ data, error }] = useQuery({ query: Activity, variables: { groupBy } });
  const rows = [...(data?.stats?.activity ?? [])].sort((a, b) => {
    // Unreported figures (null) sort as zero.
    const x = a[sort.by] ?? 0;
    const y = b[sort.by] ?? 0;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'fr');
    return sort.desc ? -c : c;
  });
  const max = Math.max(1, ...rows.map((r) => r.events));
  const errors = fieldErrors(error);
  const header = (col: Column, label: string) => (
    <th aria-sort={sort.by === col ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="link" onClick={() => setSort({ by: col, desc: sort.by === col ? !sort.desc : true })}>
        {label}
      </button>
    </th>
  );
  return (
    <section>
      <h1>{t('stats_title')}</h1>
      {errors[''] && <p className="error" role="alert">{errors['']}</p>}
      <div className="field">
        <label htmlFor="groupBy">{t('stats_group_by')}</label>
        <select id="groupBy" value={groupBy} onChange={(e) => setGroupBy(statsDimension(e.target.value) ?? groupBy)}>
          {DIMENSIONS.map((d) => <option key={d} value={d}>{t(`dimension_${d}` as Key)}</option>)}
        </select>
      </div>
      <svg className="chart" role="img" aria-label={t('stats_events')} viewBox={`0 0 300 ${Math.max(1, rows.slice(0, 15).length) * 16}`}>
        {rows.slice(0, 15).map((r, i) => (
          <g key={r.key} transform={`translate(0 ${i * 16})`}>
            <rect x={110} y={2} height={12} width={(r.events / max) * 185} fill="#b3173b" />
            <text x={105} y={12} fontSize={10} textAnchor="end">{r.label.slice(0, 20)}</text>
          </g>
        ))}
      </svg>
      <button
        type="button"
        onClick={() =>
          download(
            `cortege-${groupBy.toLowerCase()}.csv`,
            toCsv([
              ['key', 'label', 'events', 'rsvps', 'participants', 'doors_knocked', 'leaflets'],
              ...rows.map((r) => [r.key, r.label, r.events, r.rsvps, r.participants, r.doorsKnocked ?? '', r.leaflets ?? '']),
            ]),
          )
        }
      >
        {t('stats_csv')}
      </button>
      <div className="table-wrap">
      <table>
        <thead>
          <tr>
            {header('key', t('stats_key'))}
            {header('label', t('stats_label'))}
            {header('events', t('stats_events'))}
            {header('rsvps', t('stats_rsvps'))}
            {header('participants', t('stats_participants'))}
            {header('doorsKnocked', t('outcome_doorsKnocked'))}
            {header('leaflets', t('outcome_leaflets'))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.key}</td><td>{r.label}</td><td>{r.events}</td><td>{r.rsvps}</td><td>{r.participants}</td>
              <td>{r.doorsKnocked ?? '–'}</td><td>{r.leaflets ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </section>
  );
}
