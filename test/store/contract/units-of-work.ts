/** Contract of units of work: `write` commits together or not at all, nests by joining, and the store reports its state. */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.ts';
import { at, caseFor, inbound, type CurrentStore } from './fixtures.ts';

/** Writes a little of everything for conversation `id`: a message, the conversation, a demand signal, a case. */
async function writeSome(s: Store, id: string): Promise<void> {
  await s.messages.saveInbound(inbound({ conversationId: id, platformMessageId: `${id}-1` }));
  await s.conversations.save({ id, channel: 'telegram', senderId: '42', state: { misses: 1 }, createdAt: at('2025-03-01T08:00:00Z'), updatedAt: at('2025-03-01T08:00:00Z') });
  await s.demand.record({ conversationId: id, channel: 'telegram', lang: 'zh', text: 'q', reason: 'no_match', candidates: [], createdAt: at('2025-03-01T08:00:00Z') });
  await s.escalations.open(caseFor(id));
}

async function nothingOf(s: Store, id: string): Promise<void> {
  expect(await s.messages.listByConversation(id)).toEqual([]);
  expect(await s.messages.seen('telegram', `${id}-1`)).toBe(false);
  expect(await s.conversations.get(id)).toBeUndefined();
  expect((await s.demand.list()).filter((d) => d.conversationId === id)).toEqual([]);
  expect(await s.escalations.latest(id)).toBeUndefined();
}

export function unitsOfWorkContract(store: CurrentStore): void {
  describe('units of work', () => {
    it('commit what they wrote and resolve with the value of the function', async () => {
      const s = store();
      const value = await s.write(async () => {
        await writeSome(s, 'telegram:1');
        // A unit reads its own writes before it commits.
        expect((await s.conversations.get('telegram:1'))?.state).toEqual({ misses: 1 });
        return 'done';
      });
      expect(value).toBe('done');
      expect(await s.messages.listByConversation('telegram:1')).toHaveLength(1);
      expect(await s.escalations.findOpen('telegram:1')).toMatchObject({ caseNumber: 'HY-20261201-0001' });
    });

    it('roll back every write and reject when the function throws; the case number it took is given again', async () => {
      const s = store();
      await expect(
        s.write(async () => {
          await writeSome(s, 'telegram:1');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await nothingOf(s, 'telegram:1');
      expect((await s.escalations.open(caseFor('telegram:2'))).escalation.caseNumber).toBe('HY-20261201-0001');
    });

    it('join the unit they are started in: the inner writes roll back with the outer unit', async () => {
      const s = store();
      await expect(
        s.write(async () => {
          const inner = await s.write(async () => {
            await writeSome(s, 'telegram:1');
            return 'inner';
          });
          expect(inner).toBe('inner');
          throw new Error('outer fails');
        }),
      ).rejects.toThrow('outer fails');
      await nothingOf(s, 'telegram:1');

      await s.write(() => s.write(() => writeSome(s, 'telegram:2')));
      expect(await s.conversations.get('telegram:2')).toBeDefined();
    });

    it('roll back alone: a failing unit does not take concurrent units with it', async () => {
      const s = store();
      const results = await Promise.allSettled([
        s.write(() => writeSome(s, 'telegram:1')),
        s.write(async () => {
          await writeSome(s, 'telegram:2');
          throw new Error('boom');
        }),
        s.write(() => writeSome(s, 'telegram:3')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      await nothingOf(s, 'telegram:2');
      expect(await s.conversations.get('telegram:1')).toBeDefined();
      expect(await s.conversations.get('telegram:3')).toBeDefined();
      const numbers = [await s.escalations.findOpen('telegram:1'), await s.escalations.findOpen('telegram:3')].map((e) => e?.caseNumber);
      expect(numbers.sort()).toEqual(['HY-20261201-0001', 'HY-20261201-0002']);
    });

    it('run many at once, each committed', async () => {
      const s = store();
      await Promise.all(Array.from({ length: 30 }, (_, i) => s.write(() => writeSome(s, `telegram:${i}`))));
      const messages = await Promise.all(Array.from({ length: 30 }, (_, i) => s.messages.listByConversation(`telegram:${i}`)));
      expect(messages.map((m) => m.length)).toEqual(Array.from({ length: 30 }, () => 1));
    });
  });

  describe('the store itself', () => {
    it('takes writes while open; once closed it says so and refuses units of work', async () => {
      const s = store();
      expect(await s.writeProblem()).toBeNull();
      await s.close();
      expect(await s.writeProblem()).toMatch(/closed/);
      await expect(s.write(async () => 1)).rejects.toThrow();
      await s.close();
    });
  });
}
