/** Contract of the demand analytics repository: the dashboard figures by local day, the change marker, topic state and status. */
import { describe, expect, it } from 'vitest';
import type { Outcome, Reply } from '../../../src/core/message.ts';
import type { OutcomeCount } from '../../../src/demand/ports.ts';
import type { TopicState } from '../../../src/demand/topic-types.ts';
import { OPEN_STATES } from '../../../src/handoff/types.ts';
import type { Store } from '../../../src/store/store.ts';
import { at, caseFor, createStaff, ms, UTC8, type CurrentStore } from './fixtures.ts';

async function turn(s: Store, conversationId: string, channel: string, outcome: Outcome, time: string, replies: Reply[] = [{ text: 'x' }]): Promise<void> {
  await s.messages.saveInbound({ channel, conversationId, senderId: conversationId, text: 'q', time: new Date(ms(time) - 1000) });
  await s.messages.saveOutbound(conversationId, channel, outcome, replies, at(time));
}

function signal(s: Store, reason: 'no_match' | 'ambiguous' | 'not_helpful', time: string, entryIds: string[] = []): Promise<number> {
  return s.demand.record({
    conversationId: 'c',
    channel: 'web',
    lang: 'zh',
    text: 'q',
    reason,
    candidates: entryIds.map((entryId, i) => ({ entryId, score: 0.5 - i / 10 })),
    createdAt: at(time),
  });
}

async function openCase(s: Store, conversationId: string, department: string, created: string, dueMinutes = 30): Promise<number> {
  const createdAt = at(created);
  const input = caseFor(conversationId, { department, createdAt, dueAt: new Date(createdAt.getTime() + dueMinutes * 60_000), caseDay: created.slice(0, 10).replace(/-/g, '') });
  return (await s.escalations.open(input)).escalation.id;
}

async function resolve(s: Store, id: number, time: string, patch: { department?: string } = {}): Promise<void> {
  expect(await s.escalations.transition(id, OPEN_STATES, 'resolved', { resolvedAt: at(time), ...patch })).toBe(true);
}

const byKey = (rows: OutcomeCount[]): string[] => rows.map((r) => `${r.day} ${r.channel} ${r.outcome} ${r.count}`).sort();
const byEntry = <T extends { entryId: string | null }>(rows: T[]): T[] => [...rows].sort((a, b) => String(a.entryId).localeCompare(String(b.entryId)));

export function demandAnalyticsContract(store: CurrentStore): void {
  describe('demand analytics: dashboard figures', () => {
    it('counts bot turns by local day, channel and outcome across a UTC midnight, once per turn', async () => {
      const s = store();
      // 15:30 UTC is 23:30 on 2 November at +08:00; 16:30 UTC is already 3 November there.
      await turn(s, 'a', 'web', 'answered', '2026-11-02T15:30:00Z', [{ text: 'one' }, { text: 'two' }]);
      await turn(s, 'b', 'web', 'answered', '2026-11-02T16:30:00Z');
      await turn(s, 'c', 'telegram', 'clarify', '2026-11-02T16:45:00Z');
      await turn(s, 'late', 'web', 'answered', '2026-11-04T00:00:00Z');
      const from = ms('2026-11-01T16:00:00Z');
      const to = ms('2026-11-03T16:00:00Z');
      expect(byKey(await s.demandAnalytics.outcomeCounts(from, to, UTC8))).toEqual(['2026-11-02 web answered 1', '2026-11-03 telegram clarify 1', '2026-11-03 web answered 1']);
      // The same turns by UTC days: both answers fall on 2 November. West of UTC, 00:00 on 4 November is still the 3rd.
      expect(byKey(await s.demandAnalytics.outcomeCounts(from, to, 0))).toEqual(['2026-11-02 telegram clarify 1', '2026-11-02 web answered 2']);
      expect(byKey(await s.demandAnalytics.outcomeCounts(ms('2026-11-03T16:00:00Z'), ms('2026-11-05T00:00:00Z'), -5 * 3_600_000))).toEqual(['2026-11-03 web answered 1']);
    });

    it('reads the outcome counts archived by retention for the days asked for, and no other daily figure; gives the latest cut-off', async () => {
      const s = store();
      expect(await s.demandAnalytics.retentionCutoff()).toBeNull();
      await turn(s, 'a', 'web', 'answered', '2026-11-01T02:00:00Z');
      await turn(s, 'b', 'wechat', 'escalated', '2026-11-02T02:00:00Z');
      await turn(s, 'c', 'wechat', 'escalated', '2026-11-02T03:00:00Z');
      await turn(s, 'd', 'web', 'answered', '2026-11-03T02:00:00Z');
      await s.retention.apply({ cutoff: at('2026-11-04T00:00:00Z'), mode: 'anonymise', utcOffsetMs: UTC8, now: at('2026-12-04T00:00:00Z') });
      await s.retention.apply({ cutoff: at('2026-10-01T00:00:00Z'), mode: 'anonymise', utcOffsetMs: UTC8, now: at('2026-12-05T00:00:00Z') });

      const rows = await s.demandAnalytics.archivedOutcomeCounts('2026-11-01', '2026-11-02');
      expect(rows.sort((a, b) => a.day.localeCompare(b.day))).toEqual([
        { day: '2026-11-01', channel: 'web', outcome: 'answered', count: 1 },
        { day: '2026-11-02', channel: 'wechat', outcome: 'escalated', count: 2 },
      ]);
      expect(await s.demandAnalytics.retentionCutoff()).toBe(ms('2026-11-04T00:00:00Z'));
    });

    it('counts answered turns of the period by the entry used', async () => {
      const s = store();
      await turn(s, 'a', 'web', 'answered', '2026-11-02T01:00:00Z', [{ text: 'x', entryId: 'hf-withdraw' }, { text: 'y', entryId: 'hf-withdraw' }]);
      await turn(s, 'b', 'web', 'answered', '2026-11-02T02:00:00Z', [{ text: 'x', entryId: 'hf-withdraw' }]);
      await turn(s, 'c', 'web', 'answered', '2026-11-02T03:00:00Z', [{ text: 'x', entryId: 'ps-id' }]);
      await turn(s, 'd', 'web', 'answered', '2026-11-02T04:00:00Z', [{ text: 'no entry' }]);
      await turn(s, 'e', 'web', 'clarify', '2026-11-02T05:00:00Z', [{ text: 'x', entryId: 'ps-id' }]);
      await turn(s, 'f', 'web', 'answered', '2026-11-03T00:00:00Z', [{ text: 'x', entryId: 'ps-id' }]);
      expect(byEntry(await s.demandAnalytics.answersByEntry(ms('2026-11-02T00:00:00Z'), ms('2026-11-03T00:00:00Z')))).toEqual([
        { entryId: 'hf-withdraw', count: 2 },
        { entryId: null, count: 1 },
        { entryId: 'ps-id', count: 1 },
      ]);
    });

    it('counts no-match and ambiguous signals of the period by their best candidate', async () => {
      const s = store();
      await signal(s, 'no_match', '2026-11-02T01:00:00Z', ['ps-id']);
      await signal(s, 'ambiguous', '2026-11-02T02:00:00Z', ['hf-withdraw', 'ps-id']);
      await signal(s, 'ambiguous', '2026-11-02T03:00:00Z', ['hf-withdraw']);
      await signal(s, 'no_match', '2026-11-02T04:00:00Z');
      await signal(s, 'not_helpful', '2026-11-02T05:00:00Z', ['ps-id']);
      await signal(s, 'no_match', '2026-11-01T23:59:59Z', ['ps-id']);
      expect(byEntry(await s.demandAnalytics.missesByFirstCandidate(ms('2026-11-02T00:00:00Z'), ms('2026-11-03T00:00:00Z')))).toEqual([
        { entryId: 'hf-withdraw', count: 2 },
        { entryId: null, count: 1 },
        { entryId: 'ps-id', count: 1 },
      ]);
    });

    it('lists the cases opened in the period with their times in ms and their rating', async () => {
      const s = store();
      const rated = await openCase(s, 'c1', 'public-security', '2026-11-02T01:00:00Z', 30);
      await s.escalations.update(rated, { firstResponseAt: at('2026-11-02T01:10:00Z') });
      await resolve(s, rated, '2026-11-02T03:00:00Z');
      await s.escalations.update(rated, { rating: 'satisfied' });
      await openCase(s, 'c2', 'housing-fund', '2026-11-02T02:00:00Z', 60);
      await openCase(s, 'c3', 'housing-fund', '2026-11-03T00:00:00Z');
      const cases = await s.demandAnalytics.cases(ms('2026-11-02T00:00:00Z'), ms('2026-11-03T00:00:00Z'));
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

  describe('demand analytics: topic state and status', () => {
    it('changes the marker when a signal is recorded or a case resolved, and only then', async () => {
      const s = store();
      expect(await s.demandAnalytics.changeMarker()).toEqual({ lastSignalId: null, signals: 0, resolvedCases: 0 });
      const id = await signal(s, 'no_match', '2026-11-02T01:00:00Z');
      const afterSignal = await s.demandAnalytics.changeMarker();
      expect(afterSignal).toEqual({ lastSignalId: id, signals: 1, resolvedCases: 0 });
      const caseId = await openCase(s, 'c1', 'housing-fund', '2026-11-02T02:00:00Z');
      await turn(s, 'c1', 'web', 'answered', '2026-11-02T03:00:00Z');
      expect(await s.demandAnalytics.changeMarker()).toEqual(afterSignal);
      await resolve(s, caseId, '2026-11-02T04:00:00Z');
      expect(await s.demandAnalytics.changeMarker()).toEqual({ lastSignalId: id, signals: 1, resolvedCases: 1 });
    });

    it("gives each conversation's department of its latest resolved case", async () => {
      const s = store();
      await resolve(s, await openCase(s, 'c1', 'housing-fund', '2026-11-02T01:00:00Z'), '2026-11-02T02:00:00Z');
      await resolve(s, await openCase(s, 'c1', 'housing-fund', '2026-11-03T01:00:00Z'), '2026-11-03T02:00:00Z', { department: 'public-security' });
      await resolve(s, await openCase(s, 'c2', 'civil-affairs', '2026-11-02T01:00:00Z'), '2026-11-02T05:00:00Z');
      await openCase(s, 'c3', 'housing-fund', '2026-11-02T01:00:00Z');
      expect(await s.demandAnalytics.resolvedDepartments()).toEqual(
        new Map([
          ['c1', 'public-security'],
          ['c2', 'civil-affairs'],
        ]),
      );
    });

    it('saves the topic state and reads back the latest one', async () => {
      const analytics = store().demandAnalytics;
      expect(await analytics.topicState()).toBeUndefined();
      const state: TopicState = { version: 1, documents: 3, idf: { 养犬: 1.2, 登记: 0.4 }, topics: [{ id: 't-1', centroid: [['养犬', 0.9]], memberKeys: ['k1', 'k2'] }] };
      await analytics.saveTopicState(state, at('2026-11-02T01:00:00Z'));
      expect(await analytics.topicState()).toEqual(state);
      const next: TopicState = { ...state, documents: 4, topics: [] };
      await analytics.saveTopicState(next, at('2026-11-02T02:00:00Z'));
      expect(await analytics.topicState()).toEqual(next);
    });

    it('sets a topic status, keeping an earlier label, draft and entry when a later change passes none', async () => {
      const s = store();
      const { id: by } = await createStaff(s, 'li', { role: 'supervisor', departments: [] });
      const draft = await s.faqDrafts.add({ escalationId: null, department: 'housing-fund', lang: 'zh', title: 't', questions: ['q'], answer: '', createdBy: by }, at('2026-11-02T00:00:00Z'));
      expect(await s.demandAnalytics.topicStatus('t-1')).toBeUndefined();

      await s.demandAnalytics.setTopicStatus('t-1', { status: 'ignored', reason: 'spam', label: '养犬登记', by }, at('2026-11-02T01:00:00Z'));
      expect(await s.demandAnalytics.topicStatus('t-1')).toEqual({
        id: 't-1',
        status: 'ignored',
        reason: 'spam',
        label: '养犬登记',
        draftId: null,
        entryId: null,
        updatedBy: by,
        updatedAt: at('2026-11-02T01:00:00Z'),
      });
      await s.demandAnalytics.setTopicStatus('t-1', { status: 'drafted', draftId: draft.id, by }, at('2026-11-02T02:00:00Z'));
      await s.demandAnalytics.setTopicStatus('t-1', { status: 'covered', label: null, entryId: 'dog-licence', by }, at('2026-11-02T03:00:00Z'));
      expect(await s.demandAnalytics.topicStatus('t-1')).toEqual({
        id: 't-1',
        status: 'covered',
        reason: null,
        label: '养犬登记',
        draftId: draft.id,
        entryId: 'dog-licence',
        updatedBy: by,
        updatedAt: at('2026-11-02T03:00:00Z'),
      });
      expect(await s.demandAnalytics.topicStatus('t-2')).toBeUndefined();
    });
  });
}
