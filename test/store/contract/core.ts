/** Contract of the core's repositories: conversations, messages, demand signals, channel addresses, outbox. */
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../src/core/message.ts';
import type { ConversationRecord } from '../../../src/core/ports.ts';
import { at, inbound, type CurrentStore } from './fixtures.ts';

export function coreContract(store: CurrentStore): void {
  describe('conversations', () => {
    const record = (overrides: Partial<ConversationRecord> = {}): ConversationRecord => ({
      id: 'web:s1',
      channel: 'web',
      senderId: 's1',
      state: { misses: 0, lang: 'en', pendingChoices: ['a', 'b'] },
      createdAt: at('2025-03-01T08:00:00Z'),
      updatedAt: at('2025-03-01T08:00:00Z'),
      ...overrides,
    });

    it('round-trips a conversation and its state; an unknown id reads as undefined', async () => {
      await store().conversations.save(record());
      expect(await store().conversations.get('web:s1')).toEqual(record());
      expect(await store().conversations.get('web:unknown')).toBeUndefined();
    });

    it('updates state and updatedAt on a second save but keeps createdAt', async () => {
      await store().conversations.save(record());
      const later = at('2025-03-01T09:30:00Z');
      await store().conversations.save(record({ state: { misses: 2, lastUnanswered: '怎么办签证' }, createdAt: later, updatedAt: later }));
      expect(await store().conversations.get('web:s1')).toEqual(record({ state: { misses: 2, lastUnanswered: '怎么办签证' }, updatedAt: later }));
    });
  });

  describe('messages', () => {
    it('flags the same platform id on the same channel as a duplicate and stores it once', async () => {
      const messages = store().messages;
      expect(await messages.seen('telegram', 'update-1')).toBe(false);
      const first = await messages.saveInbound(inbound({ platformMessageId: 'update-1' }));
      const again = await messages.saveInbound(inbound({ platformMessageId: 'update-1', text: 'retry' }));
      expect(first).toEqual({ id: expect.any(Number), duplicate: false });
      expect(first.id).toBeGreaterThan(0);
      expect(again.duplicate).toBe(true);
      expect(await messages.seen('telegram', 'update-1')).toBe(true);
      expect(await messages.seen('wechat', 'update-1')).toBe(false);
      expect((await messages.listByConversation('telegram:42')).map((m) => m.text)).toEqual(['居住证怎么办']);
    });

    it('does not treat the same platform id on another channel as a duplicate', async () => {
      const messages = store().messages;
      expect((await messages.saveInbound(inbound({ platformMessageId: '1001' }))).duplicate).toBe(false);
      const other = await messages.saveInbound(inbound({ channel: 'wechat', conversationId: 'wechat:abc', senderId: 'abc', platformMessageId: '1001' }));
      expect(other.duplicate).toBe(false);
      expect(await messages.listByConversation('wechat:abc')).toHaveLength(1);
    });

    it('never counts messages without a platform id as duplicates', async () => {
      const messages = store().messages;
      const saved = [await messages.saveInbound(inbound()), await messages.saveInbound(inbound()), await messages.saveInbound(inbound())];
      expect(saved.map((s) => s.duplicate)).toEqual([false, false, false]);
      expect(new Set(saved.map((s) => s.id)).size).toBe(3);
      expect(await messages.listByConversation('telegram:42')).toHaveLength(3);
    });

    it('lists inbound and outbound messages in order, with replies, outcomes and sealed text as stored', async () => {
      const messages = store().messages;
      const clarify: Reply = { text: '您是想问：\n1. 居住证办理\n2. 居住证续签', choices: [{ label: '居住证办理', value: '1' }, { label: '居住证续签', value: '2' }] };
      const answer: Reply = { text: '居住证续签请登录网上办事大厅。', links: [{ title: '网上办事大厅', url: 'https://example.gov.cn/' }], entryId: 'residence-permit-renew' };
      const t0 = at('2025-03-01T08:00:00Z');
      const t1 = at('2025-03-01T08:00:01Z');
      const first = await messages.saveInbound(inbound({ text: '我的电话是138****5678', time: t0 }), 'sealed:original');
      await messages.saveOutbound('telegram:42', 'telegram', 'clarify', [clarify], t0);
      await messages.saveInbound(inbound({ text: '2', time: t1 }));
      await messages.saveOutbound('telegram:42', 'telegram', 'answered', [answer, { text: '还有其他问题吗？' }], t1);
      await messages.saveOutbound('telegram:42', 'telegram', 'answered', [], t1);
      await messages.saveInbound(inbound({ conversationId: 'telegram:99', senderId: '99', text: 'other' }));

      const list = await messages.listByConversation('telegram:42');
      expect(list.map((m) => [m.direction, m.text, m.outcome, m.reply])).toEqual([
        ['in', '我的电话是138****5678', undefined, undefined],
        ['out', clarify.text, 'clarify', clarify],
        ['in', '2', undefined, undefined],
        ['out', answer.text, 'answered', answer],
        ['out', '还有其他问题吗？', 'answered', { text: '还有其他问题吗？' }],
      ]);
      expect(list[0]).toMatchObject({ id: first.id, sealedText: 'sealed:original', createdAt: t0 });
      expect(list.slice(1).map((m) => m.sealedText)).toEqual([undefined, undefined, undefined, undefined]);
      expect(list[3]!.createdAt).toEqual(t1);
      expect(list.every((m) => m.conversationId === 'telegram:42' && m.channel === 'telegram')).toBe(true);
      expect(list.map((m) => m.id)).toEqual([...list.map((m) => m.id)].sort((a, b) => a - b));
    });

    it('returns the newest messages, still oldest first, when limited, and only those after an id', async () => {
      const messages = store().messages;
      const ids: number[] = [];
      for (let i = 1; i <= 5; i++) ids.push((await messages.saveInbound(inbound({ text: `q${i}` }))).id);
      expect((await messages.listByConversation('telegram:42', 2)).map((m) => m.text)).toEqual(['q4', 'q5']);
      expect((await messages.listByConversation('telegram:42', 200, ids[2])).map((m) => m.text)).toEqual(['q4', 'q5']);
      expect((await messages.listByConversation('telegram:42', 1, ids[0])).map((m) => m.text)).toEqual(['q5']);
      expect(await messages.listByConversation('nobody')).toEqual([]);
    });

    it('keeps acknowledged messages awaiting their answer, oldest first, until answered', async () => {
      const messages = store().messages;
      const a = await messages.saveInbound(inbound({ platformMessageId: 'p1', text: '138****5678' }), 'sealed:a');
      const b = await messages.saveInbound(inbound({ text: 'second', time: at('2025-03-01T08:01:00Z') }));
      await messages.awaitAnswer(b.id, at('2025-03-01T08:01:01Z'));
      await messages.awaitAnswer(a.id, at('2025-03-01T08:00:01Z'));
      await messages.awaitAnswer(a.id, at('2025-03-01T09:00:00Z'));
      expect(await messages.awaitingAnswers()).toEqual([
        {
          id: a.id,
          message: { channel: 'telegram', conversationId: 'telegram:42', senderId: '42', text: '138****5678', time: at('2025-03-01T08:00:00Z'), platformMessageId: 'p1' },
          sealedText: 'sealed:a',
          acknowledgedAt: at('2025-03-01T08:00:01Z'),
        },
        {
          id: b.id,
          message: { channel: 'telegram', conversationId: 'telegram:42', senderId: '42', text: 'second', time: at('2025-03-01T08:01:00Z') },
          acknowledgedAt: at('2025-03-01T08:01:01Z'),
        },
      ]);
      await messages.answered(a.id);
      expect((await messages.awaitingAnswers()).map((m) => m.id)).toEqual([b.id]);
      await messages.answered(b.id);
      expect(await messages.awaitingAnswers()).toEqual([]);
    });
  });

  describe('demand signals', () => {
    it('records signals and lists them newest first, filtered by since and limited', async () => {
      const demand = store().demand;
      const base = { conversationId: 'web:s1', channel: 'web', lang: 'zh' as const, reason: 'no_match' as const, candidates: [{ entryId: 'residence-permit', score: 0.31 }] };
      const id1 = await demand.record({ ...base, text: '老问题', createdAt: at('2025-01-01T00:00:00Z') });
      const id2 = await demand.record({ ...base, text: '新问题', reason: 'ambiguous', createdAt: at('2025-03-01T00:00:00Z'), sourceKey: 'AbCdEfGhIjKlMnOpQrStUv' });
      const id3 = await demand.record({ ...base, text: '最新问题', candidates: [], createdAt: at('2025-03-02T00:00:00Z') });
      expect(id2).toBeGreaterThan(id1);
      expect(id3).toBeGreaterThan(id2);

      expect(await demand.list()).toEqual([
        { id: id3, ...base, text: '最新问题', candidates: [], createdAt: at('2025-03-02T00:00:00Z') },
        { id: id2, ...base, text: '新问题', reason: 'ambiguous', createdAt: at('2025-03-01T00:00:00Z'), sourceKey: 'AbCdEfGhIjKlMnOpQrStUv' },
        { id: id1, ...base, text: '老问题', createdAt: at('2025-01-01T00:00:00Z') },
      ]);
      expect((await demand.list({ since: at('2025-03-01T00:00:00Z') })).map((d) => d.text)).toEqual(['最新问题', '新问题']);
      expect(await demand.list({ since: at('2026-01-01T00:00:00Z') })).toEqual([]);
      expect((await demand.list({ limit: 1 })).map((d) => d.id)).toEqual([id3]);
    });
  });

  describe('channel addresses', () => {
    it('keeps the latest address of each conversation', async () => {
      const addresses = store().addresses;
      expect(await addresses.get('telegram:42')).toBeUndefined();
      await addresses.save('telegram:42', 'telegram', { chatId: 42, thread: { id: 'x' } });
      await addresses.save('wechat:abc', 'wechat', { openId: 'abc' });
      expect(await addresses.get('telegram:42')).toEqual({ channel: 'telegram', address: { chatId: 42, thread: { id: 'x' } } });
      await addresses.save('telegram:42', 'telegram', { chatId: 43 });
      expect(await addresses.get('telegram:42')).toEqual({ channel: 'telegram', address: { chatId: 43 } });
      expect(await addresses.get('wechat:abc')).toEqual({ channel: 'wechat', address: { openId: 'abc' } });
    });
  });

  describe('outbox', () => {
    it('keeps replies pending until marked, counting the attempts', async () => {
      const outbox = store().outbox;
      const replies: Reply[] = [{ text: 'a' }, { text: 'b', entryId: 'e', choices: [{ label: 'x', value: '1' }] }];
      const t0 = at('2025-03-01T08:00:00Z');
      const id1 = await outbox.add('web:1', 'web', replies, t0);
      const id2 = await outbox.add('web:2', 'web', [{ text: 'c' }], t0);
      const id3 = await outbox.add('web:1', 'web', [{ text: 'd' }], t0);
      const item = { conversationId: 'web:1', channel: 'web', status: 'pending', reason: null, attempts: 0, createdAt: t0 };
      expect(await outbox.pending()).toEqual([
        { id: id1, ...item, replies },
        { id: id2, ...item, conversationId: 'web:2', replies: [{ text: 'c' }] },
        { id: id3, ...item, replies: [{ text: 'd' }] },
      ]);

      await outbox.mark(id1, 'pending', 'timeout');
      await outbox.mark(id1, 'undeliverable', 'blocked by the user');
      await outbox.mark(id2, 'sent');
      expect((await outbox.pending()).map((i) => i.id)).toEqual([id3]);
      expect(await outbox.forConversation('web:1')).toEqual([
        { id: id1, ...item, replies, status: 'undeliverable', reason: 'blocked by the user', attempts: 2 },
        { id: id3, ...item, replies: [{ text: 'd' }] },
      ]);
      expect(await outbox.forConversation('web:2')).toEqual([{ id: id2, ...item, conversationId: 'web:2', replies: [{ text: 'c' }], status: 'sent', attempts: 1 }]);
      expect(await outbox.forConversation('web:none')).toEqual([]);
    });
  });
}
