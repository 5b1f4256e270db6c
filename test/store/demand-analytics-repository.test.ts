/** The SQLite demand analytics repository on a real database file: what the dashboard and the topic list read and write. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outcome, Reply } from '../../src/core/message.ts';
import type { TopicState } from '../../src/demand/topic-types.ts';
import { OPEN_STATES } from '../../src/handoff/types.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const H = 3_600_000;
const UTC8 = 8 * H;
const at = (iso: string): Date => new Date(iso);
const ms = (iso: string): number => Date.parse(iso);

let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'huiying-demand-analytics-'));
  store = new SqliteStore(join(dir, 'huiying.db'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function turn(conversationId: string, channel: string, outcome: Outcome, time: string, replies: Reply[] = [{ text: 'x' }]): Promise<void> {
  await store.messages.saveInbound({ channel, conversationId, senderId: conversationId, text: 'q', time: new Date(ms(time) - 1000) });
  await store.messages.saveOutbound(conversationId, channel, outcome, replies, at(time));
}

function signal(reason: 'no_match' | 'ambiguous' | 'not_helpful', time: string, entryIds: string[] = []): Promise<number> {
  return store.demand.record({
    conversationId: 'c',
    channel: 'web',
    lang: 'zh',
    text: 'q',
    reason,
    candidates: entryIds.map((entryId, i) => ({ entryId, score: 0.5 - i / 10 })),
    createdAt: at(time),
  });
}

async function openCase(conversationId: string, department: string, created: string, dueMinutes = 30): Promise<number> {
  const createdAt = at(created);
  const { escalation } = await store.escalations.open({
    conversationId,
    channel: 'web',
    department,
    trigger: 'asked_for_human',
    question: 'q',
    candidates: [],
    createdAt,
    dueAt: new Date(createdAt.getTime() + dueMinutes * 60_000),
    caseDay: created.slice(0, 10).replace(/-/g, ''),
  });
  return escalation.id;
}

async function resolve(id: number, time: string, patch: { department?: string } = {}): Promise<void> {
  expect(await store.escalations.transition(id, OPEN_STATES, 'resolved', { resolvedAt: at(time), ...patch })).toBe(true);
}

const staffMember = async (): Promise<number> =>
  (await store.staff.create({ name: 'li', displayName: 'Li', role: 'supervisor', departments: [], passwordHash: 'x' })).id;

describe('SqliteDemandAnalytics: dashboard figures', () => {
  it('counts bot turns by local day, channel and outcome across a UTC midnight, once per turn', async () => {
    // 15:30 UTC is 23:30 on 2 November at +08:00; 16:30 UTC is already 3 November there.
    await turn('a', 'web', 'answered', '2026-11-02T15:30:00Z', [{ text: 'one' }, { text: 'two' }]);
    await turn('b', 'web', 'answered', '2026-11-02T16:30:00Z');
    await turn('c', 'telegram', 'clarify', '2026-11-02T16:45:00Z');
    await turn('late', 'web', 'answered', '2026-11-04T00:00:00Z');
    const from = ms('2026-11-01T16:00:00Z');
    const to = ms('2026-11-03T16:00:00Z');

    const byKey = (rows: Array<{ day: string; channel: string; outcome: string; count: number }>) =>
      rows.map((r) => `${r.day} ${r.channel} ${r.outcome} ${r.count}`).sort();
    expect(byKey(await store.demandAnalytics.outcomeCounts(from, to, UTC8))).toEqual([
      '2026-11-02 web answered 1',
      '2026-11-03 telegram clarify 1',
      '2026-11-03 web answered 1',
    ]);
    // The same turns by UTC days: both answers fall on 2 November.
    expect(byKey(await store.demandAnalytics.outcomeCounts(from, to, 0))).toEqual(['2026-11-02 telegram clarify 1', '2026-11-02 web answered 2']);
  });

  it('reads the archived outcome counts of the days asked for, and no other daily figure', async () => {
    const stat = store.db.prepare('INSERT INTO daily_stats (day, channel, metric, value) VALUES (?, ?, ?, ?)');
    stat.run('2026-11-01', 'web', 'outcome_answered', 7);
    stat.run('2026-11-02', 'wechat', 'outcome_escalated', 2);
    stat.run('2026-11-01', 'web', 'messages_in', 12);
    stat.run('2026-11-01', 'web', 'outcomes', 99);
    stat.run('2026-11-03', 'web', 'outcome_answered', 5);

    const rows = await store.demandAnalytics.archivedOutcomeCounts('2026-11-01', '2026-11-02');
    expect(rows.sort((a, b) => a.day.localeCompare(b.day))).toEqual([
      { day: '2026-11-01', channel: 'web', outcome: 'answered', count: 7 },
      { day: '2026-11-02', channel: 'wechat', outcome: 'escalated', count: 2 },
    ]);
  });

  it('gives the latest retention cut-off, or null before retention ever ran', async () => {
    expect(await store.demandAnalytics.retentionCutoff()).toBeNull();
    const run = store.db.prepare(`INSERT INTO retention_runs (ran_at, cutoff, mode, counted_from, affected) VALUES (?, ?, 'delete', 0, '{}')`);
    run.run(ms('2026-11-05T00:00:00Z'), ms('2026-11-02T00:00:00Z'));
    run.run(ms('2026-11-04T00:00:00Z'), ms('2026-10-01T00:00:00Z'));
    expect(await store.demandAnalytics.retentionCutoff()).toBe(ms('2026-11-02T00:00:00Z'));
  });

  it('counts answered turns of the period by the entry used', async () => {
    await turn('a', 'web', 'answered', '2026-11-02T01:00:00Z', [{ text: 'x', entryId: 'hf-withdraw' }, { text: 'y', entryId: 'hf-withdraw' }]);
    await turn('b', 'web', 'answered', '2026-11-02T02:00:00Z', [{ text: 'x', entryId: 'hf-withdraw' }]);
    await turn('c', 'web', 'answered', '2026-11-02T03:00:00Z', [{ text: 'x', entryId: 'ps-id' }]);
    await turn('d', 'web', 'answered', '2026-11-02T04:00:00Z', [{ text: 'no entry' }]);
    await turn('e', 'web', 'clarify', '2026-11-02T05:00:00Z', [{ text: 'x', entryId: 'ps-id' }]);
    await turn('f', 'web', 'answered', '2026-11-03T00:00:00Z', [{ text: 'x', entryId: 'ps-id' }]);

    const rows = await store.demandAnalytics.answersByEntry(ms('2026-11-02T00:00:00Z'), ms('2026-11-03T00:00:00Z'));
    expect(rows.sort((a, b) => String(a.entryId).localeCompare(String(b.entryId)))).toEqual([
      { entryId: 'hf-withdraw', count: 2 },
      { entryId: null, count: 1 },
      { entryId: 'ps-id', count: 1 },
    ]);
  });

  it('counts no-match and ambiguous signals of the period by their best candidate', async () => {
    await signal('no_match', '2026-11-02T01:00:00Z', ['ps-id']);
    await signal('ambiguous', '2026-11-02T02:00:00Z', ['hf-withdraw', 'ps-id']);
    await signal('ambiguous', '2026-11-02T03:00:00Z', ['hf-withdraw']);
    await signal('no_match', '2026-11-02T04:00:00Z');
    await signal('not_helpful', '2026-11-02T05:00:00Z', ['ps-id']);
    await signal('no_match', '2026-11-01T23:59:59Z', ['ps-id']);

    const rows = await store.demandAnalytics.missesByFirstCandidate(ms('2026-11-02T00:00:00Z'), ms('2026-11-03T00:00:00Z'));
    expect(rows.sort((a, b) => String(a.entryId).localeCompare(String(b.entryId)))).toEqual([
      { entryId: 'hf-withdraw', count: 2 },
      { entryId: null, count: 1 },
      { entryId: 'ps-id', count: 1 },
    ]);
  });

  it('lists the cases opened in the period with their times in ms and their rating', async () => {
    const rated = await openCase('c1', 'public-security', '2026-11-02T01:00:00Z', 30);
    await store.escalations.update(rated, { firstResponseAt: at('2026-11-02T01:10:00Z') });
    await resolve(rated, '2026-11-02T03:00:00Z');
    await store.escalations.update(rated, { rating: 'satisfied' });
    await openCase('c2', 'housing-fund', '2026-11-02T02:00:00Z', 60);
    await openCase('c3', 'housing-fund', '2026-11-03T00:00:00Z');

    const cases = await store.demandAnalytics.cases(ms('2026-11-02T00:00:00Z'), ms('2026-11-03T00:00:00Z'));
    expect(cases.sort((a, b) => a.createdAt - b.createdAt)).toEqual([
      {
        department: 'public-security',
        createdAt: ms('2026-11-02T01:00:00Z'),
        dueAt: ms('2026-11-02T01:30:00Z'),
        firstResponseAt: ms('2026-11-02T01:10:00Z'),
        resolvedAt: ms('2026-11-02T03:00:00Z'),
        rating: 'satisfied',
      },
      { department: 'housing-fund', createdAt: ms('2026-11-02T02:00:00Z'), dueAt: ms('2026-11-02T03:00:00Z'), firstResponseAt: null, resolvedAt: null, rating: null },
    ]);
  });
});

describe('SqliteDemandAnalytics: topic state and status', () => {
  it('changes the marker when a signal is recorded or a case resolved, and only then', async () => {
    const analytics = store.demandAnalytics;
    const empty = await analytics.changeMarker();
    expect(empty).toEqual({ lastSignalId: null, signals: 0, resolvedCases: 0 });

    const id = await signal('no_match', '2026-11-02T01:00:00Z');
    const afterSignal = await analytics.changeMarker();
    expect(afterSignal).toEqual({ lastSignalId: id, signals: 1, resolvedCases: 0 });

    const caseId = await openCase('c1', 'housing-fund', '2026-11-02T02:00:00Z');
    await turn('c1', 'web', 'answered', '2026-11-02T03:00:00Z');
    expect(await analytics.changeMarker()).toEqual(afterSignal);

    await resolve(caseId, '2026-11-02T04:00:00Z');
    expect(await analytics.changeMarker()).toEqual({ lastSignalId: id, signals: 1, resolvedCases: 1 });
  });

  it("gives each conversation's department of its latest resolved case", async () => {
    const first = await openCase('c1', 'housing-fund', '2026-11-02T01:00:00Z');
    await resolve(first, '2026-11-02T02:00:00Z');
    const second = await openCase('c1', 'housing-fund', '2026-11-03T01:00:00Z');
    await resolve(second, '2026-11-03T02:00:00Z', { department: 'public-security' });
    await resolve(await openCase('c2', 'civil-affairs', '2026-11-02T01:00:00Z'), '2026-11-02T05:00:00Z');
    await openCase('c3', 'housing-fund', '2026-11-02T01:00:00Z');

    expect(await store.demandAnalytics.resolvedDepartments()).toEqual(
      new Map([
        ['c1', 'public-security'],
        ['c2', 'civil-affairs'],
      ]),
    );
  });

  it('saves the topic state and reads back the latest one; an unreadable state reads as none', async () => {
    const analytics = store.demandAnalytics;
    expect(await analytics.topicState()).toBeUndefined();
    const state: TopicState = {
      version: 1,
      documents: 3,
      idf: { 养犬: 1.2, 登记: 0.4 },
      topics: [{ id: 't-1', centroid: [['养犬', 0.9]], memberKeys: ['k1', 'k2'] }],
    };
    await analytics.saveTopicState(state, at('2026-11-02T01:00:00Z'));
    expect(await analytics.topicState()).toEqual(state);
    const next: TopicState = { ...state, documents: 4, topics: [] };
    await analytics.saveTopicState(next, at('2026-11-02T02:00:00Z'));
    expect(await analytics.topicState()).toEqual(next);

    store.db.prepare("UPDATE demand_topic_state SET state = '{not json' WHERE key = 'state'").run();
    expect(await analytics.topicState()).toBeUndefined();
  });

  it('sets a topic status, keeping an earlier label, draft and entry when a later change passes none', async () => {
    const analytics = store.demandAnalytics;
    const by = await staffMember();
    const draft = await store.faqDrafts.add({ escalationId: null, department: 'housing-fund', lang: 'zh', title: 't', questions: ['q'], answer: '', createdBy: by }, at('2026-11-02T00:00:00Z'));
    expect(await analytics.topicStatus('t-1')).toBeUndefined();

    await analytics.setTopicStatus('t-1', { status: 'ignored', reason: 'spam', label: '养犬登记', by }, at('2026-11-02T01:00:00Z'));
    expect(await analytics.topicStatus('t-1')).toEqual({
      id: 't-1',
      status: 'ignored',
      reason: 'spam',
      label: '养犬登记',
      draftId: null,
      entryId: null,
      updatedBy: by,
      updatedAt: at('2026-11-02T01:00:00Z'),
    });

    await analytics.setTopicStatus('t-1', { status: 'drafted', draftId: draft.id, by }, at('2026-11-02T02:00:00Z'));
    await analytics.setTopicStatus('t-1', { status: 'covered', label: null, entryId: 'dog-licence', by }, at('2026-11-02T03:00:00Z'));
    expect(await analytics.topicStatus('t-1')).toEqual({
      id: 't-1',
      status: 'covered',
      reason: null,
      label: '养犬登记',
      draftId: draft.id,
      entryId: 'dog-licence',
      updatedBy: by,
      updatedAt: at('2026-11-02T03:00:00Z'),
    });
    expect(await analytics.topicStatus('t-2')).toBeUndefined();
  });
});
