/** The dashboard figures against a seeded database: known rows in, exact numbers out. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demandDashboard, outcomeGroup } from '../src/demand/demand-dashboard.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';

const H = 3_600_000;
/** UTC ms of a local (UTC+8) time "YYYY-MM-DD HH:MM". */
const local = (s: string): number => Date.parse(`${s.replace(' ', 'T')}:00Z`) - 8 * H;

let dir: string;
let store: SqliteStore;
const departmentOf = (entryId: string) => ({ 'hf-withdraw': 'housing-fund', 'ps-id': 'public-security' })[entryId];

function turn(conversation: string, channel: string, outcome: string, at: string, entryId?: string, replies = 1): void {
  const insert = store.db.prepare(
    `INSERT INTO messages (conversation_id, channel, direction, text, outcome, reply, created_at) VALUES (?, ?, 'out', 'x', ?, ?, ?)`,
  );
  for (let i = 0; i < replies; i++) insert.run(conversation, channel, outcome, JSON.stringify({ text: 'x', ...(entryId ? { entryId } : {}) }), local(at));
  store.db.prepare(`INSERT INTO messages (conversation_id, channel, direction, text, created_at) VALUES (?, ?, 'in', 'q', ?)`).run(conversation, channel, local(at) - 1000);
}

function signal(reason: string, at: string, candidates: Array<{ entryId: string; score: number }>): void {
  store.db
    .prepare(`INSERT INTO demand_signals (conversation_id, channel, lang, text, reason, candidates, created_at) VALUES ('c', 'web', 'zh', 'q', ?, ?, ?)`)
    .run(reason, JSON.stringify(candidates), local(at));
}

let caseNo = 0;
function escalation(department: string, created: string, dueMinutes: number, firstResponseMinutes: number | null, rating: string | null = null): void {
  const createdAt = local(created);
  store.db
    .prepare(
      `INSERT INTO escalations (case_number, conversation_id, channel, department, state, trigger, question, candidates, created_at, due_at, first_response_at, resolved_at, rating)
       VALUES (?, ?, 'web', ?, 'resolved', 'asked_for_human', 'q', '[]', ?, ?, ?, ?, ?)`,
    )
    .run(`HY-${++caseNo}`, `conv-${caseNo}`, department, createdAt, createdAt + dueMinutes * 60_000, firstResponseMinutes === null ? null : createdAt + firstResponseMinutes * 60_000, createdAt + 2 * H, rating);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'huiying-dash-'));
  store = new SqliteStore(join(dir, 'dash.db'));
  // Day 1 (2026-11-02, local): 3 answered (one turn with two replies counts once), 1 clarify, 1 escalated on web; 1 unanswered on telegram.
  turn('a1', 'web', 'answered', '2026-11-02 09:00', 'hf-withdraw', 2);
  turn('a2', 'web', 'answered', '2026-11-02 10:00', 'hf-withdraw');
  turn('a3', 'web', 'answered', '2026-11-02 23:30', 'ps-id'); // 23:30 local is still 2 November
  turn('c1', 'web', 'clarify', '2026-11-02 11:00');
  turn('e1', 'web', 'escalated', '2026-11-02 12:00');
  turn('u1', 'telegram', 'unanswered', '2026-11-02 13:00');
  // Day 2: 1 answered, 1 staff (escalated), 1 smalltalk (other).
  turn('a4', 'telegram', 'answered', '2026-11-03 00:30', 'ps-id');
  turn('s1', 'web', 'staff', '2026-11-03 09:00');
  turn('g1', 'web', 'smalltalk', '2026-11-03 09:05');
  // Outside the period.
  turn('old', 'web', 'answered', '2026-10-30 09:00', 'hf-withdraw');
  // An earlier period cleared by retention: only daily_stats remain for 1 November.
  store.db.prepare(`INSERT INTO retention_runs (ran_at, cutoff, mode, counted_from, affected) VALUES (?, ?, 'delete', 0, '{}')`).run(Date.now(), local('2026-11-02 00:00'));
  const stat = store.db.prepare('INSERT INTO daily_stats (day, channel, metric, value) VALUES (?, ?, ?, ?)');
  stat.run('2026-11-01', 'web', 'outcome_answered', 7);
  stat.run('2026-11-01', 'web', 'outcome_unanswered', 3);
  stat.run('2026-11-01', 'wechat', 'outcome_escalated', 2);
  stat.run('2026-11-01', 'web', 'messages_in', 12);
  // A message row before the cut-off (already counted in daily_stats) must not be counted twice.
  turn('dup', 'web', 'answered', '2026-11-01 15:00', 'hf-withdraw');

  signal('no_match', '2026-11-02 13:00', [{ entryId: 'ps-id', score: 0.2 }]);
  signal('no_match', '2026-11-02 14:00', []);
  signal('ambiguous', '2026-11-03 10:00', [{ entryId: 'hf-withdraw', score: 0.4 }, { entryId: 'ps-id', score: 0.39 }]);
  signal('not_helpful', '2026-11-03 10:00', [{ entryId: 'hf-withdraw', score: 0.9 }]);

  // Cases: public-security responded in 10 min (due 30) and 45 min (due 30); housing-fund responded in 5 (due 60); one never answered, overdue.
  escalation('public-security', '2026-11-02 12:00', 30, 10, 'satisfied');
  escalation('public-security', '2026-11-02 15:00', 30, 45, 'dissatisfied');
  escalation('housing-fund', '2026-11-03 09:00', 60, 5, 'basically_satisfied');
  escalation('housing-fund', '2026-11-03 10:00', 60, null);
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard figures', () => {
  it('maps outcomes to groups', () => {
    expect(['answered', 'escalated', 'staff', 'unanswered', 'clarify', 'smalltalk'].map(outcomeGroup)).toEqual(['answered', 'escalated', 'escalated', 'unanswered', 'unanswered', 'other']);
  });

  it('counts questions per day by outcome, from live rows and daily_stats, without double counting', async () => {
    const d = await demandDashboard(store.demandAnalytics, { fromDay: '2026-11-01', toDay: '2026-11-03', departmentOf, now: new Date(local('2026-11-10 00:00')) });
    expect(d.perDay).toEqual([
      { day: '2026-11-01', total: 12, answered: 7, escalated: 2, unanswered: 3, other: 0 },
      { day: '2026-11-02', total: 6, answered: 3, escalated: 1, unanswered: 2, other: 0 },
      { day: '2026-11-03', total: 3, answered: 1, escalated: 1, unanswered: 0, other: 1 },
    ]);
    expect(d.totals).toEqual({ total: 21, answered: 11, escalated: 4, unanswered: 5, other: 1, answerRate: 0.5238, escalationRate: 0.1905 });
    expect(d.perChannel).toEqual([
      { channel: 'web', total: 17, answered: 10, escalated: 2, unanswered: 4, other: 1 },
      { channel: 'telegram', total: 2, answered: 1, escalated: 0, unanswered: 1, other: 0 },
      { channel: 'wechat', total: 2, answered: 0, escalated: 2, unanswered: 0, other: 0 },
    ]);
  });

  it('gives answer and escalation rates per department', async () => {
    const d = await demandDashboard(store.demandAnalytics, { fromDay: '2026-11-02', toDay: '2026-11-03', departmentOf, now: new Date(local('2026-11-10 00:00')) });
    expect(d.perDepartment).toEqual([
      // unanswered: the no_match signal without candidates
      { department: 'general', answered: 0, escalated: 0, unanswered: 1, answerRate: 0, escalationRate: 0 },
      // answered: a1 (two replies, one turn) + a2; unanswered: the ambiguous signal; escalated: 2 cases
      { department: 'housing-fund', answered: 2, escalated: 2, unanswered: 1, answerRate: 0.4, escalationRate: 0.4 },
      // answered: a3 + a4; unanswered: 1 no_match; escalated: 2 cases
      { department: 'public-security', answered: 2, escalated: 2, unanswered: 1, answerRate: 0.4, escalationRate: 0.4 },
    ]);
  });

  it('measures first-response time and target compliance per department, and ratings per day', async () => {
    const d = await demandDashboard(store.demandAnalytics, { fromDay: '2026-11-02', toDay: '2026-11-03', departmentOf, now: new Date(local('2026-11-10 00:00')) });
    expect(d.responseTimes).toEqual([
      { department: 'housing-fund', cases: 2, responded: 1, withinTarget: 1, breached: 1, compliance: 0.5, medianMinutes: 5, meanMinutes: 5 },
      { department: 'public-security', cases: 2, responded: 2, withinTarget: 1, breached: 1, compliance: 0.5, medianMinutes: 27.5, meanMinutes: 27.5 },
    ]);
    expect(d.ratings).toEqual([
      { day: '2026-11-02', satisfied: 1, basically_satisfied: 0, dissatisfied: 1 },
      { day: '2026-11-03', satisfied: 0, basically_satisfied: 1, dissatisfied: 0 },
    ]);
    // Before the unanswered case is due, it is not a breach yet.
    const early = await demandDashboard(store.demandAnalytics, { fromDay: '2026-11-03', toDay: '2026-11-03', departmentOf, now: new Date(local('2026-11-03 10:30')) });
    expect(early.responseTimes).toEqual([{ department: 'housing-fund', cases: 2, responded: 1, withinTarget: 1, breached: 0, compliance: 1, medianMinutes: 5, meanMinutes: 5 }]);
  });
});
