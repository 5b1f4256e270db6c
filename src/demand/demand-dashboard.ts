/**
 * The managers' figures for a period of local days: questions per day by outcome, rates per department and channel,
 * first-response compliance, ratings over time. Periods already cleared by data retention come from the daily
 * statistics; the rest from the live records (messages, demand signals, escalations), read through `DemandAnalyticsRepository`.
 */
import type { DemandAnalyticsRepository } from './ports.ts';

const DAY_MS = 86_400_000;

/** How a bot turn counts: answered; escalated (handed to a person, or a person holds it); unanswered (no match, clarify). */
export type OutcomeGroup = 'answered' | 'escalated' | 'unanswered' | 'other';

export function outcomeGroup(outcome: string): OutcomeGroup {
  if (outcome === 'answered') return 'answered';
  if (outcome === 'escalated' || outcome === 'staff') return 'escalated';
  if (outcome === 'unanswered' || outcome === 'clarify') return 'unanswered';
  return 'other';
}

export interface OutcomeCounts {
  total: number;
  answered: number;
  escalated: number;
  unanswered: number;
  other: number;
}

export interface DashboardOptions {
  /** First and last local day (YYYY-MM-DD), inclusive. */
  fromDay: string;
  toDay: string;
  /** Offset of the local day (default UTC+8, as daily_stats). */
  utcOffsetMs?: number;
  departmentOf: (entryId: string) => string | undefined;
  now?: Date;
  /**
   * The period's demand signals as counted (repeats folded, floods left out, see signal-counting.ts): the misses per
   * department are counted from them. Absent: every logged no_match and ambiguous signal counts.
   */
  countedSignals?: ReadonlyArray<{ reasons: readonly string[]; candidates: ReadonlyArray<{ entryId: string }>; createdAt: Date }>;
}

export interface Dashboard {
  fromDay: string;
  toDay: string;
  totals: OutcomeCounts & { answerRate: number; escalationRate: number };
  perDay: Array<{ day: string } & OutcomeCounts>;
  perChannel: Array<{ channel: string } & OutcomeCounts>;
  perDepartment: Array<{ department: string; answered: number; escalated: number; unanswered: number; answerRate: number; escalationRate: number }>;
  responseTimes: Array<{
    department: string;
    cases: number;
    responded: number;
    withinTarget: number;
    breached: number;
    /** withinTarget / (withinTarget + breached); null when no case was due yet. */
    compliance: number | null;
    medianMinutes: number | null;
    meanMinutes: number | null;
  }>;
  ratings: Array<{ day: string; satisfied: number; basically_satisfied: number; dissatisfied: number }>;
}

const empty = (): OutcomeCounts => ({ total: 0, answered: 0, escalated: 0, unanswered: 0, other: 0 });
const rate = (n: number, d: number): number => (d > 0 ? Math.round((n / d) * 10000) / 10000 : 0);

/** Local midnight (as UTC ms) of a YYYY-MM-DD day. */
export function dayStart(day: string, utcOffsetMs: number): number {
  return Date.parse(`${day}T00:00:00Z`) - utcOffsetMs;
}

export function localDay(ms: number, utcOffsetMs: number): string {
  return new Date(ms + utcOffsetMs).toISOString().slice(0, 10);
}

export async function demandDashboard(analytics: DemandAnalyticsRepository, options: DashboardOptions): Promise<Dashboard> {
  const offset = options.utcOffsetMs ?? 8 * 3_600_000;
  const from = dayStart(options.fromDay, offset);
  const to = dayStart(options.toDay, offset) + DAY_MS;
  const now = (options.now ?? new Date()).getTime();
  // Rows before the last retention cut-off are counted in the daily statistics (and may be anonymised or gone).
  const countedFrom = (await analytics.retentionCutoff()) ?? 0;
  const liveFrom = Math.max(from, countedFrom);
  const [outcomeRows, archivedRows, answerRows, cases, missRowsStored] = await Promise.all([
    analytics.outcomeCounts(liveFrom, to, offset),
    analytics.archivedOutcomeCounts(options.fromDay, options.toDay),
    analytics.answersByEntry(liveFrom, to),
    analytics.cases(from, to),
    options.countedSignals ? null : analytics.missesByFirstCandidate(from, to),
  ]);

  const days = new Map<string, OutcomeCounts>();
  for (let t = from; t < to; t += DAY_MS) days.set(localDay(t, offset), empty());
  const channels = new Map<string, OutcomeCounts>();
  const totals = empty();
  const add = (d: string, channel: string, outcome: string, n: number): void => {
    const group = outcomeGroup(outcome);
    for (const counts of [days.get(d), channels.get(channel) ?? channels.set(channel, empty()).get(channel)!, totals]) {
      if (!counts) continue;
      counts[group] += n;
      counts.total += n;
    }
  };
  for (const r of outcomeRows) add(r.day, r.channel, r.outcome, r.count);
  for (const r of archivedRows) add(r.day, r.channel, r.outcome, r.count);

  // Per department: answers by the department of the entry used, misses by the department of the best candidate, cases by queue.
  const departments = new Map<string, { answered: number; escalated: number; unanswered: number }>();
  const dept = (id: string) => departments.get(id) ?? departments.set(id, { answered: 0, escalated: 0, unanswered: 0 }).get(id)!;
  for (const r of answerRows) if (r.entryId) dept(options.departmentOf(r.entryId) ?? 'general').answered += r.count;
  const missRows = options.countedSignals
    ? options.countedSignals
        .filter((s) => s.createdAt.getTime() >= from && s.createdAt.getTime() < to && s.reasons.some((r) => r === 'no_match' || r === 'ambiguous'))
        .map((s) => ({ entryId: s.candidates[0]?.entryId ?? null, count: 1 }))
    : (missRowsStored ?? []);
  for (const r of missRows) dept((r.entryId && options.departmentOf(r.entryId)) || 'general').unanswered += r.count;
  for (const c of cases) dept(c.department).escalated++;

  const times = new Map<string, { cases: number; responded: number; withinTarget: number; breached: number; minutes: number[] }>();
  const ratings = new Map<string, { satisfied: number; basically_satisfied: number; dissatisfied: number }>();
  for (const c of cases) {
    const t = times.get(c.department) ?? times.set(c.department, { cases: 0, responded: 0, withinTarget: 0, breached: 0, minutes: [] }).get(c.department)!;
    t.cases++;
    if (c.firstResponseAt !== null) {
      t.responded++;
      t.minutes.push((c.firstResponseAt - c.createdAt) / 60_000);
      if (c.firstResponseAt <= c.dueAt) t.withinTarget++;
      else t.breached++;
    } else if (now > c.dueAt) t.breached++;
    if (c.rating === 'satisfied' || c.rating === 'basically_satisfied' || c.rating === 'dissatisfied') {
      const d = localDay(c.resolvedAt ?? c.createdAt, offset);
      const r = ratings.get(d) ?? ratings.set(d, { satisfied: 0, basically_satisfied: 0, dissatisfied: 0 }).get(d)!;
      r[c.rating]++;
    }
  }
  const round1 = (x: number) => Math.round(x * 10) / 10;
  const median = (xs: number[]): number | null => {
    if (xs.length === 0) return null;
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return round1(s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2);
  };

  return {
    fromDay: options.fromDay,
    toDay: options.toDay,
    totals: { ...totals, answerRate: rate(totals.answered, totals.total), escalationRate: rate(totals.escalated, totals.total) },
    perDay: [...days].map(([d, c]) => ({ day: d, ...c })),
    perChannel: [...channels].map(([channel, c]) => ({ channel, ...c })).sort((a, b) => b.total - a.total || a.channel.localeCompare(b.channel)),
    perDepartment: [...departments]
      .map(([department, d]) => {
        const all = d.answered + d.escalated + d.unanswered;
        return { department, ...d, answerRate: rate(d.answered, all), escalationRate: rate(d.escalated, all) };
      })
      .sort((a, b) => a.department.localeCompare(b.department)),
    responseTimes: [...times]
      .map(([department, t]) => ({
        department,
        cases: t.cases,
        responded: t.responded,
        withinTarget: t.withinTarget,
        breached: t.breached,
        compliance: t.withinTarget + t.breached > 0 ? rate(t.withinTarget, t.withinTarget + t.breached) : null,
        medianMinutes: median(t.minutes),
        meanMinutes: t.minutes.length ? round1(t.minutes.reduce((a, b) => a + b, 0) / t.minutes.length) : null,
      }))
      .sort((a, b) => a.department.localeCompare(b.department)),
    ratings: [...ratings].map(([d, r]) => ({ day: d, ...r })).sort((a, b) => a.day.localeCompare(b.day)),
  };
}
