import { useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import type { EventKind, StatsDimension, StatsFilter } from '../gql/graphql';
import { download, toCsv } from '../csv';
import { fieldErrors } from '../errors';
import { KIND_LABELS, t, type Key } from '../i18n';
import { EVENT_KINDS, STATS_DIMENSIONS, eventKind, statsDimension } from '../enums';
import { parisMidnight } from '../parisTime';
import { Empty } from '../ui/States';

const Activity = graphql(`
  query StatsActivity($groupBy: StatsDimension!, $filter: StatsFilter) {
    stats {
      activity(groupBy: $groupBy, filter: $filter) {
        key label events rsvps participants participantsSuppressed perTenThousand doorsKnocked leaflets
      }
    }
  }
`);

const Crossed = graphql(`
  query StatsBreakdown($groupBy: [StatsDimension!]!, $filter: StatsFilter) {
    stats {
      breakdown(groupBy: $groupBy, filter: $filter, first: 5000) { keys labels events }
    }
  }
`);

const Members = graphql(`
  query StatsMembers($groupBy: StatsDimension, $filter: MembersFilter) {
    stats {
      members(groupBy: $groupBy, filter: $filter) { key label members newMembers active30d }
    }
  }
`);

const CURVES = ['MONTH', 'WEEK', 'DAY'] as const satisfies readonly StatsDimension[];
type Column = 'key' | 'label' | 'events' | 'rsvps' | 'participants' | 'perTenThousand' | 'doorsKnocked' | 'leaflets';
/** Kinds come as enum values: shown in the reader's language. */
const shown = (dimension: StatsDimension, key: string, label: string) =>
  dimension === 'KIND' ? KIND_LABELS[eventKind(key) ?? 'OTHER'] : label;
const dash = (n: number | null | undefined) => (n === null || n === undefined ? '–' : n.toLocaleString());

/** The filters as typed: dates are Europe/Paris days, which the
 *  server's daily rollup answers from whole days. */
function statsFilter(from: string, to: string, department: string, region: string, kind: EventKind | ''): StatsFilter {
  return {
    from: from ? parisMidnight(from) : null,
    to: to ? parisMidnight(to) : null,
    departmentCode: department.trim() || null,
    regionCode: region.trim() || null,
    kinds: kind ? [kind] : null,
  };
}

export function Stats() {
  const [groupBy, setGroupBy] = useState<StatsDimension>('DEPARTMENT');
  const [columns, setColumns] = useState<StatsDimension | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [department, setDepartment] = useState('');
  const [region, setRegion] = useState('');
  const [kind, setKind] = useState<EventKind | ''>('');
  const [curve, setCurve] = useState<(typeof CURVES)[number]>('MONTH');
  const [sort, setSort] = useState<{ by: Column; desc: boolean }>({ by: 'events', desc: true });
  const filter = statsFilter(from, to, department, region, kind);
  const crossed = columns !== '' && columns !== groupBy;
  const [{ data, error }] = useQuery({ query: Activity, variables: { groupBy, filter }, pause: crossed });
  const [pivot] = useQuery({ query: Crossed, variables: { groupBy: [groupBy, columns || groupBy], filter }, pause: !crossed });
  const [members] = useQuery({
    query: Members,
    variables: {
      groupBy: curve,
      filter: { departmentCode: filter.departmentCode, regionCode: filter.regionCode, from: filter.from, to: filter.to },
    },
  });
  const rows = [...(data?.stats?.activity ?? [])].sort((a, b) => {
    // Unreported figures (null) sort as zero.
    const x = a[sort.by] ?? 0;
    const y = b[sort.by] ?? 0;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'fr');
    return sort.desc ? -c : c;
  });
  const errors = fieldErrors(error ?? pivot.error);
  const header = (col: Column, label: string) => (
    <th aria-sort={sort.by === col ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="link" onClick={() => setSort({ by: col, desc: sort.by === col ? !sort.desc : true })}>
        {label}
      </button>
    </th>
  );
  const dimensionLabel = (d: StatsDimension) => t(`dimension_${d}` as Key);
  const name = [groupBy, crossed ? columns : '', from, to, department, region, kind].filter(Boolean).join('-').toLowerCase();
  return (
    <section>
      <h1>{t('stats_title')}</h1>
      {errors[''] && <p className="error" role="alert">{errors['']}</p>}
      <div className="filters">
        <div className="field">
          <label htmlFor="groupBy">{t('stats_group_by')}</label>
          <select id="groupBy" value={groupBy} onChange={(e) => setGroupBy(statsDimension(e.target.value) ?? groupBy)}>
            {STATS_DIMENSIONS.map((d) => <option key={d} value={d}>{dimensionLabel(d)}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="columns">{t('stats_columns')}</label>
          <select id="columns" value={columns} onChange={(e) => setColumns(statsDimension(e.target.value) ?? '')}>
            <option value="">{t('stats_no_columns')}</option>
            {STATS_DIMENSIONS.filter((d) => d !== groupBy).map((d) => <option key={d} value={d}>{dimensionLabel(d)}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="stats-from">{t('stats_from')}</label>
          <input id="stats-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="stats-to">{t('stats_to')}</label>
          <input id="stats-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="stats-department">{t('stats_department')}</label>
          <input id="stats-department" value={department} maxLength={3} size={4} onChange={(e) => setDepartment(e.target.value)} />
          {errors['filter.departmentCode'] && <p className="error">{errors['filter.departmentCode']}</p>}
        </div>
        <div className="field">
          <label htmlFor="stats-region">{t('stats_region')}</label>
          <input id="stats-region" value={region} maxLength={3} size={4} onChange={(e) => setRegion(e.target.value)} />
          {errors['filter.regionCode'] && <p className="error">{errors['filter.regionCode']}</p>}
        </div>
        <div className="field">
          <label htmlFor="stats-kind">{t('stats_kind')}</label>
          <select id="stats-kind" value={kind} onChange={(e) => setKind(eventKind(e.target.value) ?? '')}>
            <option value="">{t('stats_all_kinds')}</option>
            {EVENT_KINDS.map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
          </select>
        </div>
      </div>
      {crossed ? (
        <Pivot
          rows={(pivot.data?.stats?.breakdown ?? []).map((r) => ({
            ...r,
            labels: [shown(groupBy, r.keys[0], r.labels[0]), shown(columns || groupBy, r.keys[1], r.labels[1])],
          }))}
          corner={`${dimensionLabel(groupBy)} × ${dimensionLabel(columns)}`}
          file={`cortege-${name}.csv`}
        />
      ) : (
        <>
          <BarChart
            rows={rows.slice(0, 15).map((r) => ({ key: r.key, label: shown(groupBy, r.key, r.label), value: r.events }))}
            label={t('stats_events')}
          />
          <button
            type="button"
            onClick={() =>
              download(
                `cortege-${name}.csv`,
                toCsv([
                  ['key', 'label', 'events', 'rsvps', 'participants', 'per_10000_inhabitants', 'doors_knocked', 'leaflets'],
                  ...rows.map((r) => [
                    r.key, r.label, r.events, r.rsvps, r.participantsSuppressed ? '' : r.participants,
                    r.perTenThousand ?? '', r.doorsKnocked ?? '', r.leaflets ?? '',
                  ]),
                ]),
              )
            }
          >
            {t('stats_csv')}
          </button>
          {data && rows.length === 0 && <Empty title={t('stats_empty')} />}
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  {header('key', t('stats_key'))}
                  {header('label', t('stats_label'))}
                  {header('events', t('stats_events'))}
                  {header('perTenThousand', t('stats_per_capita'))}
                  {header('rsvps', t('stats_rsvps'))}
                  {header('participants', t('stats_participants'))}
                  {header('doorsKnocked', t('outcome_doorsKnocked'))}
                  {header('leaflets', t('outcome_leaflets'))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.key}>
                    <td>{r.key}</td><td>{shown(groupBy, r.key, r.label)}</td><td>{r.events}</td><td>{dash(r.perTenThousand)}</td><td>{r.rsvps}</td>
                    <td>{r.participantsSuppressed ? <abbr title={t('stats_hidden', { min: 5 })}>–</abbr> : r.participants}</td>
                    <td>{dash(r.doorsKnocked)}</td><td>{dash(r.leaflets)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <h2>{t('stats_members_title')}</h2>
      <div className="field">
        <label htmlFor="curve">{t('stats_members_by')}</label>
        <select id="curve" value={curve} onChange={(e) => setCurve(CURVES.find((c) => c === e.target.value) ?? curve)}>
          {CURVES.map((d) => <option key={d} value={d}>{dimensionLabel(d)}</option>)}
        </select>
      </div>
      <LineChart points={(members.data?.stats?.members ?? []).map((m) => ({ key: m.key, value: m.members }))} label={t('stats_members')} />
      <button
        type="button"
        onClick={() =>
          download(
            `cortege-members-${curve.toLowerCase()}.csv`,
            toCsv([
              ['period', 'members', 'new_members', 'active_30d'],
              ...(members.data?.stats?.members ?? []).map((m) => [m.key, m.members ?? '', m.newMembers ?? '', m.active30d ?? '']),
            ]),
          )
        }
      >
        {t('stats_members_csv')}
      </button>
    </section>
  );
}

type Row = { keys: string[]; labels: string[]; events: number };

/** A two-dimension table: the first key down, the second across, events
 *  in the cells. */
function Pivot({ rows, corner, file }: { rows: Row[]; corner: string; file: string }) {
  const down = [...new Map(rows.map((r) => [r.keys[0], r.labels[0]])).entries()];
  const across = [...new Map(rows.map((r) => [r.keys[1], r.labels[1]])).entries()].sort(([a], [b]) => a.localeCompare(b));
  const cell = new Map(rows.map((r) => [`${r.keys[0]}\u0000${r.keys[1]}`, r.events]));
  const at = (d: string, a: string) => cell.get(`${d}\u0000${a}`) ?? 0;
  return (
    <>
      <button
        type="button"
        onClick={() =>
          download(file, toCsv([[corner, ...across.map(([, l]) => l)], ...down.map(([d, l]) => [l, ...across.map(([a]) => at(d, a))])]))
        }
      >
        {t('stats_csv')}
      </button>
      <div className="table-wrap">
        <table>
          <thead>
            <tr><th scope="col">{corner}</th>{across.map(([a, l]) => <th scope="col" key={a}>{l}</th>)}</tr>
          </thead>
          <tbody>
            {down.map(([d, l]) => (
              <tr key={d}><th scope="row">{l}</th>{across.map(([a]) => <td key={a}>{at(d, a) || ''}</td>)}</tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function BarChart({ rows, label }: { rows: { key: string; label: string; value: number }[]; label: string }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <svg className="chart" role="img" aria-label={label} viewBox={`0 0 300 ${Math.max(1, rows.length) * 16}`}>
      {rows.map((r, i) => (
        <g key={r.key} transform={`translate(0 ${i * 16})`}>
          <rect x={110} y={2} height={12} width={(r.value / max) * 185} fill="#b3173b" />
          <text x={105} y={12} fontSize={10} textAnchor="end">{r.label.slice(0, 20)}</text>
        </g>
      ))}
    </svg>
  );
}

/** The membership curve; periods whose count is hidden (small cells)
 *  leave a gap. */
function LineChart({ points, label }: { points: { key: string; value: number | null }[]; label: string }) {
  const max = Math.max(1, ...points.map((p) => p.value ?? 0));
  const x = (i: number) => 30 + (i / Math.max(1, points.length - 1)) * 265;
  const y = (v: number) => 105 - (v / max) * 95;
  const path = points
    .map((p, i) => (p.value === null ? null : `${x(i)},${y(p.value)}`))
    .reduce<string[][]>((runs, p) => {
      if (p === null) runs.push([]);
      else runs[runs.length - 1].push(p);
      return runs;
    }, [[]])
    .filter((run) => run.length > 0);
  return (
    <svg className="chart" role="img" aria-label={`${label}: ${points.at(-1)?.value ?? '–'}`} viewBox="0 0 300 125">
      <text x={2} y={12} fontSize={9}>{max.toLocaleString()}</text>
      <text x={2} y={105} fontSize={9}>0</text>
      {path.map((run, i) => <polyline key={i} points={run.join(' ')} fill="none" stroke="#b3173b" strokeWidth={1.5} />)}
      {points.length <= 60 &&
        points.map((p, i) => (p.value === null ? null : <circle key={p.key} cx={x(i)} cy={y(p.value)} r={2} fill="#b3173b" />))}
      {points.length > 0 && <text x={30} y={120} fontSize={9}>{points[0].key}</text>}
      {points.length > 1 && <text x={295} y={120} fontSize={9} textAnchor="end">{points.at(-1)?.key}</text>}
    </svg>
  );
}
