/** Contract of retention: old text anonymised or deleted in one pass, open cases left alone, the figures kept once. */
import { describe, expect, it } from 'vitest';
import { OPEN_STATES } from '../../../src/handoff/types.ts';
import type { RetentionCounts } from '../../../src/ops/ports.ts';
import { DELETED_TEXT, type RetentionMode } from '../../../src/ops/retention.ts';
import type { Store } from '../../../src/store/store.ts';
import { caseFor, createStaff, DAY, HOUR, inbound, MINUTE, UTC8, type CurrentStore } from './fixtures.ts';

const NOTHING: RetentionCounts = { statsRows: 0, messages: 0, demandSignals: 0, conversations: 0, addresses: 0, cases: 0, notes: 0, outbox: 0 };

/** Times of a seeded store: the old rows were written 100 days ago from 10:00 local time (UTC+8), the recent ones yesterday. */
interface Seeded {
  now: Date;
  cutoff: Date;
  /** The local day of the old rows, YYYY-MM-DD. */
  oldDay: string;
  old: (minutes: number) => Date;
  heldCase: number;
  closedCase: number;
  awaitingId: number;
}

/**
 * `api:old` (an answer, then a phone number and a miss), `api:held` (an open case), `api:closed` (a resolved case with a
 * note and a rating comment), all 100 days old; `api:new` from yesterday.
 */
async function seed(s: Store): Promise<Seeded> {
  const now = new Date();
  const startOfDay = Math.floor((now.getTime() - 100 * DAY) / DAY) * DAY;
  const old = (minutes: number): Date => new Date(startOfDay + 2 * HOUR + minutes * MINUTE);
  const recent = new Date(now.getTime() - DAY);
  const say = async (conversationId: string, text: string, time: Date, sealed?: string, platformMessageId?: string): Promise<number> =>
    (await s.messages.saveInbound(inbound({ channel: 'api', conversationId, senderId: `${conversationId}-citizen`, text, time, ...(platformMessageId ? { platformMessageId } : {}) }), sealed)).id;
  const conversation = (id: string, createdAt: Date, updatedAt: Date): Promise<void> =>
    s.conversations.save({ id, channel: 'api', senderId: `${id}-citizen`, state: { misses: 1, lastUnanswered: '量子计算机原理是什么' }, createdAt, updatedAt });

  const awaitingId = await say('api:old', '居住证怎么办理', old(0), undefined, 'p-old-1');
  await s.messages.awaitAnswer(awaitingId, old(0));
  await s.messages.saveOutbound('api:old', 'api', 'answered', [{ text: '居住证请到派出所办理。', entryId: 'residence-permit' }, { text: '还有其他问题吗？' }], old(0));
  await say('api:old', '我的手机号是138****5678，请回电', old(1), 'sealed:phone');
  await s.messages.saveOutbound('api:old', 'api', 'unanswered', [{ text: '抱歉，没有找到答案。' }], old(1));
  await s.demand.record({ conversationId: 'api:old', channel: 'api', lang: 'zh', text: '我的手机号是13812345678，请回电', reason: 'no_match', candidates: [], createdAt: old(1), sourceKey: 'AbCdEfGhIjKlMnOpQrStUv' });
  await conversation('api:old', old(0), old(1));
  await s.addresses.save('api:old', 'api', { client: 'old' });

  await say('api:held', '转人工', old(2));
  await s.messages.saveOutbound('api:held', 'api', 'escalated', [{ text: '正在为您转接人工。' }], old(2));
  await s.demand.record({ conversationId: 'api:held', channel: 'api', lang: 'zh', text: '转人工', reason: 'asked_for_human', candidates: [], createdAt: old(2) });
  await conversation('api:held', old(2), old(2));
  const heldCase = (await s.escalations.open(caseFor('api:held', { channel: 'api', createdAt: old(2), question: '我要办居住证' }))).escalation.id;

  await say('api:closed', '社保卡怎么办理，转人工', old(3));
  await s.messages.saveOutbound('api:closed', 'api', 'escalated', [{ text: '正在为您转接人工。' }], old(3));
  await conversation('api:closed', old(3), old(3));
  const closedCase = (await s.escalations.open(caseFor('api:closed', { channel: 'api', createdAt: old(3), question: '社保卡怎么办理' }))).escalation.id;
  const agent = await createStaff(s, 'agent1', { displayName: '李明' });
  await s.notes.add(closedCase, agent.id, '市民说身份证号是110101199003071234', old(4));
  expect(await s.escalations.transition(closedCase, OPEN_STATES, 'resolved', { resolvedAt: old(60), rating: 'satisfied', ratingComment: '很好，谢谢李明' })).toBe(true);
  await s.outbox.mark(await s.outbox.add('api:old', 'api', [{ text: '人工客服：已为您登记' }], old(5)), 'sent');
  await s.outbox.add('api:old', 'api', [{ text: '还没送达' }], old(5));

  await say('api:new', '居住证怎么办理', recent);
  await s.messages.saveOutbound('api:new', 'api', 'answered', [{ text: '居住证请到派出所办理。', entryId: 'residence-permit' }], recent);
  await s.demand.record({ conversationId: 'api:new', channel: 'api', lang: 'zh', text: '量子计算机原理是什么', reason: 'no_match', candidates: [], createdAt: recent, sourceKey: 'ZyXwVuTsRqPoNmLkJiHgFe' });
  await conversation('api:new', recent, recent);

  const oldDay = new Date(old(0).getTime() + UTC8).toISOString().slice(0, 10);
  return { now, cutoff: new Date(now.getTime() - 30 * DAY), oldDay, old, heldCase, closedCase, awaitingId };
}

/** What the seeded old rows add to the daily figures. */
const figures = (day: string): Array<{ day: string; channel: string; metric: string; value: number }> =>
  [
    ['demand_asked_for_human', 1],
    ['demand_no_match', 1],
    ['messages_in', 4],
    ['outcome_answered', 1],
    ['outcome_escalated', 2],
    ['outcome_unanswered', 1],
  ].map(([metric, value]) => ({ day, channel: 'api', metric: metric as string, value: value as number }));

const apply = (s: Store, seeded: Pick<Seeded, 'now' | 'cutoff'>, mode: RetentionMode): Promise<RetentionCounts> =>
  s.retention.apply({ cutoff: seeded.cutoff, mode, utcOffsetMs: UTC8, now: seeded.now });

export function retentionContract(store: CurrentStore): void {
  describe('retention', () => {
    it('anonymise: old text replaced, demand kept masked, open cases untouched, recent kept, figures kept once', async () => {
      const s = store();
      const seeded = await seed(s);
      const heldBefore = await s.messages.listByConversation('api:held');
      const heldConversation = await s.conversations.get('api:held');
      const newBefore = await s.messages.listByConversation('api:new');
      const oldConversation = (await s.conversations.get('api:old'))!;

      expect(await apply(s, seeded, 'anonymise')).toEqual({ statsRows: 6, messages: 7, demandSignals: 1, conversations: 2, addresses: 0, cases: 1, notes: 1, outbox: 1 });

      // Old conversations: every text replaced, sealed originals and stored replies gone, outcomes kept.
      const old = await s.messages.listByConversation('api:old');
      expect(old.map((m) => [m.direction, m.text, m.outcome, m.reply, m.sealedText])).toEqual([
        ['in', DELETED_TEXT, undefined, undefined, undefined],
        ['out', DELETED_TEXT, 'answered', undefined, undefined],
        ['out', DELETED_TEXT, 'answered', undefined, undefined],
        ['in', DELETED_TEXT, undefined, undefined, undefined],
        ['out', DELETED_TEXT, 'unanswered', undefined, undefined],
      ]);
      expect((await s.messages.listByConversation('api:closed')).map((m) => m.text)).toEqual([DELETED_TEXT, DELETED_TEXT]);
      // The sender goes too (an acknowledged message reads with an empty sender).
      expect(await s.messages.awaitingAnswers()).toEqual([
        {
          id: seeded.awaitingId,
          message: { channel: 'api', conversationId: 'api:old', senderId: '', text: DELETED_TEXT, time: seeded.old(0), platformMessageId: 'p-old-1' },
          acknowledgedAt: seeded.old(0),
        },
      ]);
      expect(await s.conversations.get('api:old')).toEqual({ ...oldConversation, senderId: DELETED_TEXT, state: { misses: 0 } });

      // Demand signals stay for the demand analysis, masked again, without the address hash; recent ones keep theirs.
      const demand = await s.demand.list();
      const oldSignal = demand.find((d) => d.conversationId === 'api:old')!;
      expect(oldSignal).toMatchObject({ reason: 'no_match', text: '我的手机号是138****5678，请回电' });
      expect(oldSignal.sourceKey).toBeUndefined();
      expect(demand.find((d) => d.conversationId === 'api:new')).toMatchObject({ text: '量子计算机原理是什么', sourceKey: 'ZyXwVuTsRqPoNmLkJiHgFe' });

      // The conversation with an open case keeps everything; the recent one too.
      expect(await s.messages.listByConversation('api:held')).toEqual(heldBefore);
      expect(await s.conversations.get('api:held')).toEqual(heldConversation);
      expect((await s.escalations.get(seeded.heldCase))?.question).toBe('我要办居住证');
      expect(await s.messages.listByConversation('api:new')).toEqual(newBefore);

      // The closed case keeps its figures, not its words; delivered replies go, pending ones stay.
      expect(await s.escalations.get(seeded.closedCase)).toMatchObject({ question: DELETED_TEXT, ratingComment: null, rating: 'satisfied', state: 'resolved' });
      expect((await s.notes.list(seeded.closedCase)).map((n) => [n.text, n.staffName])).toEqual([[DELETED_TEXT, '李明']]);
      expect((await s.outbox.forConversation('api:old')).map((i) => i.replies)).toEqual([[{ text: '还没送达' }]]);

      // Figures of every old row, the open case's conversation included, by local day.
      expect(await s.retention.dailyStats()).toEqual(figures(seeded.oldDay));
      expect(await s.retention.dailyStats(seeded.oldDay)).toEqual(figures(seeded.oldDay));
      expect(await s.retention.dailyStats('9999-01-01')).toEqual([]);
      expect(await s.demandAnalytics.retentionCutoff()).toBe(seeded.cutoff.getTime());

      // A second run changes nothing and counts nothing twice.
      expect(await apply(s, seeded, 'anonymise')).toEqual(NOTHING);
      expect(await s.retention.dailyStats()).toEqual(figures(seeded.oldDay));

      // Once the open case is closed, a later run takes that conversation too.
      expect(await s.escalations.transition(seeded.heldCase, OPEN_STATES, 'resolved', { resolvedAt: seeded.old(30) })).toBe(true);
      const later = { now: new Date(seeded.now.getTime() + DAY), cutoff: new Date(seeded.cutoff.getTime() + DAY) };
      expect(await apply(s, later, 'anonymise')).toEqual({ ...NOTHING, messages: 2, conversations: 1, cases: 1 });
      expect((await s.messages.listByConversation('api:held')).map((m) => m.text)).toEqual([DELETED_TEXT, DELETED_TEXT]);
      expect(await s.retention.dailyStats()).toEqual(figures(seeded.oldDay));
      expect(await s.messages.listByConversation('api:new')).toEqual(newBefore);
    });

    it('delete: old rows removed, demand signals and notes too, open cases untouched, figures kept', async () => {
      const s = store();
      const seeded = await seed(s);
      const heldBefore = await s.messages.listByConversation('api:held');
      const newBefore = await s.messages.listByConversation('api:new');

      expect(await apply(s, seeded, 'delete')).toEqual({ statsRows: 6, messages: 7, demandSignals: 1, conversations: 2, addresses: 0, cases: 1, notes: 1, outbox: 1 });
      expect(await s.messages.listByConversation('api:old')).toEqual([]);
      expect(await s.messages.listByConversation('api:closed')).toEqual([]);
      expect(await s.messages.awaitingAnswers()).toEqual([]);
      expect(await s.messages.seen('api', 'p-old-1')).toBe(false);
      expect((await s.demand.list()).map((d) => d.conversationId).sort()).toEqual(['api:held', 'api:new']);
      expect(await s.conversations.get('api:old')).toBeUndefined();
      expect(await s.conversations.get('api:closed')).toBeUndefined();
      expect(await s.notes.list(seeded.closedCase)).toEqual([]);
      expect(await s.escalations.get(seeded.closedCase)).toMatchObject({ question: DELETED_TEXT, ratingComment: null, rating: 'satisfied' });

      expect(await s.messages.listByConversation('api:held')).toEqual(heldBefore);
      expect(await s.conversations.get('api:held')).toBeDefined();
      expect(await s.messages.listByConversation('api:new')).toEqual(newBefore);
      expect(await s.retention.dailyStats()).toEqual(figures(seeded.oldDay));
      expect(await apply(s, seeded, 'delete')).toEqual(NOTHING);
    });

    it('removes the channel addresses not changed since the cut-off, but not those of conversations with an open case', async () => {
      const s = store();
      await s.addresses.save('api:gone', 'api', { client: 'gone' });
      await s.addresses.save('api:held', 'api', { client: 'held' });
      await s.escalations.open(caseFor('api:held'));
      const now = new Date();
      const counts = await s.retention.apply({ cutoff: new Date(now.getTime() + MINUTE), mode: 'anonymise', utcOffsetMs: UTC8, now });
      expect(counts.addresses).toBe(1);
      expect(await s.addresses.get('api:gone')).toBeUndefined();
      expect(await s.addresses.get('api:held')).toEqual({ channel: 'api', address: { client: 'held' } });
    });
  });
}
