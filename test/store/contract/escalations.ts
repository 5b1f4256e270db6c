/** Contract of the escalation repository: opening with case numbers, atomic transitions, queues and figures. */
import { describe, expect, it } from 'vitest';
import type { Escalation, EscalationState } from '../../../src/handoff/types.ts';
import { OPEN_STATES } from '../../../src/handoff/types.ts';
import { at, caseFor, caseNumbers, createStaff, HOUR, MINUTE, type CurrentStore } from './fixtures.ts';

const byDepartment = <T extends { department: string }>(rows: T[]): T[] => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

export function escalationsContract(store: CurrentStore): void {
  describe('escalations: opening and case numbers', () => {
    it('opens a case with the first number of its day and reads it back equal by id, by conversation and as the latest', async () => {
      const s = store();
      const input = caseFor('web:a');
      const { escalation, created } = await s.escalations.open(input);
      expect(created).toBe(true);
      expect(escalation).toEqual({
        id: expect.any(Number),
        caseNumber: 'HY-20261201-0001',
        conversationId: 'web:a',
        channel: 'web',
        department: 'general',
        state: 'pending',
        trigger: 'asked_for_human',
        assigneeId: null,
        question: '我要找人工',
        candidates: [{ entryId: 'residence-permit', score: 0.42 }],
        createdAt: input.createdAt,
        dueAt: input.dueAt,
        firstResponseAt: null,
        resolvedAt: null,
        expiredAt: null,
        rating: null,
        ratingComment: null,
        deliveryProblem: null,
        followUpOpen: false,
      } satisfies Escalation);
      expect(await s.escalations.get(escalation.id)).toEqual(escalation);
      expect(await s.escalations.findOpen('web:a')).toEqual(escalation);
      expect(await s.escalations.latest('web:a')).toEqual(escalation);
      expect(await s.escalations.get(escalation.id + 1000)).toBeUndefined();
      expect(await s.escalations.findOpen('web:none')).toBeUndefined();
      expect(await s.escalations.latest('web:none')).toBeUndefined();
    });

    it('returns the open case of a conversation instead of opening a second, and takes no number for it; a closed one does not count', async () => {
      const s = store();
      const first = (await s.escalations.open(caseFor('web:a'))).escalation;
      const again = await s.escalations.open(caseFor('web:a', { question: 'again' }));
      expect(again).toEqual({ escalation: first, created: false });
      expect((await s.escalations.open(caseFor('web:b'))).escalation.caseNumber).toBe('HY-20261201-0002');

      expect(await s.escalations.transition(first.id, OPEN_STATES, 'resolved', { resolvedAt: at('2026-12-01T03:00:00Z') })).toBe(true);
      expect(await s.escalations.findOpen('web:a')).toBeUndefined();
      const reopened = await s.escalations.open(caseFor('web:a'));
      expect(reopened.created).toBe(true);
      expect(reopened.escalation.caseNumber).toBe('HY-20261201-0003');
      expect(await s.escalations.latest('web:a')).toEqual(reopened.escalation);
    });

    it('numbers the cases of a day consecutively and uniquely under 20 concurrent opens, and starts again at 0001 the next day', async () => {
      const s = store();
      const opened = await Promise.all(Array.from({ length: 20 }, (_, i) => s.escalations.open(caseFor(`web:${i}`))));
      expect(opened.map((o) => o.escalation.caseNumber).sort()).toEqual(caseNumbers('20261201', 20));
      const inUnits = await Promise.all(Array.from({ length: 20 }, (_, i) => s.write(() => s.escalations.open(caseFor(`web:unit-${i}`)))));
      expect(inUnits.map((o) => o.escalation.caseNumber).sort()).toEqual(caseNumbers('20261201', 20, 21));
      expect((await s.escalations.open(caseFor('web:next-day', { caseDay: '20261202' }))).escalation.caseNumber).toBe('HY-20261202-0001');
      expect((await s.escalations.open(caseFor('web:same-day'))).escalation.caseNumber).toBe('HY-20261201-0041');
    });

    it('opens one case when one conversation asks several times at once', async () => {
      const s = store();
      const opened = await Promise.all(Array.from({ length: 5 }, () => s.escalations.open(caseFor('web:a'))));
      expect(opened.filter((o) => o.created)).toHaveLength(1);
      expect(new Set(opened.map((o) => o.escalation.id)).size).toBe(1);
      const inUnits = await Promise.all(Array.from({ length: 5 }, () => s.write(() => s.escalations.open(caseFor('web:b')))));
      expect(inUnits.filter((o) => o.created)).toHaveLength(1);
      expect(new Set(inUnits.map((o) => o.escalation.caseNumber))).toEqual(new Set(['HY-20261201-0002']));
      expect(await s.escalations.list()).toHaveLength(2);
    });
  });

  describe('escalations: transitions and patches', () => {
    it('moves a case only from one of the given states, applying the patch only then', async () => {
      const s = store();
      const agent = await createStaff(s, 'agent1');
      const { escalation } = await s.escalations.open(caseFor('web:a'));
      expect(await s.escalations.transition(escalation.id, ['assigned'], 'resolved', { resolvedAt: at('2026-12-01T05:00:00Z') })).toBe(false);
      expect(await s.escalations.get(escalation.id)).toEqual(escalation);
      expect(await s.escalations.transition(escalation.id, ['pending', 'transferred'], 'assigned', { assigneeId: agent.id, firstResponseAt: at('2026-12-01T02:10:00Z') })).toBe(true);
      expect(await s.escalations.get(escalation.id)).toEqual({ ...escalation, state: 'assigned', assigneeId: agent.id, firstResponseAt: at('2026-12-01T02:10:00Z') });
      expect(await s.escalations.transition(escalation.id + 1000, OPEN_STATES, 'resolved')).toBe(false);
    });

    it('lets exactly one of two concurrent claims win', async () => {
      const s = store();
      const [a, b] = [await createStaff(s, 'a'), await createStaff(s, 'b')];
      for (const conversation of ['web:bare', 'web:units']) {
        const { escalation } = await s.escalations.open(caseFor(conversation));
        const claim = (who: number): Promise<boolean> =>
          conversation === 'web:bare'
            ? s.escalations.transition(escalation.id, ['pending', 'transferred'], 'assigned', { assigneeId: who })
            : s.write(async () => {
                await s.escalations.get(escalation.id);
                return s.escalations.transition(escalation.id, ['pending', 'transferred'], 'assigned', { assigneeId: who });
              });
        const claims = await Promise.all([claim(a.id), claim(b.id)]);
        expect(claims.filter(Boolean)).toHaveLength(1);
        expect(await s.escalations.get(escalation.id)).toMatchObject({ state: 'assigned', assigneeId: claims[0] ? a.id : b.id });
      }
    });

    it('updates the fields a patch sets and leaves the others', async () => {
      const s = store();
      const agent = await createStaff(s, 'agent1');
      const { escalation } = await s.escalations.open(caseFor('web:a'));
      const patch = {
        department: 'housing-fund',
        assigneeId: agent.id,
        dueAt: at('2026-12-01T04:00:00Z'),
        firstResponseAt: at('2026-12-01T02:30:00Z'),
        resolvedAt: at('2026-12-01T03:00:00Z'),
        expiredAt: at('2026-12-01T02:45:00Z'),
        rating: 'dissatisfied' as const,
        ratingComment: '太慢了',
        deliveryProblem: 'outside the 48-hour window',
        followUpOpen: true,
      };
      await s.escalations.update(escalation.id, patch);
      expect(await s.escalations.get(escalation.id)).toEqual({ ...escalation, ...patch });
      await s.escalations.update(escalation.id, { assigneeId: null, ratingComment: null, deliveryProblem: null, followUpOpen: false });
      await s.escalations.update(escalation.id, {});
      expect(await s.escalations.get(escalation.id)).toEqual({ ...escalation, ...patch, assigneeId: null, ratingComment: null, deliveryProblem: null, followUpOpen: false });
    });
  });

  describe('escalations: queues and figures', () => {
    /** Cases in several states and departments, created an hour apart from 10:00 local time. */
    async function queues(): Promise<Record<string, Escalation>> {
      const s = store();
      const agent = await createStaff(s, 'agent1');
      const open = async (conversationId: string, department: string, hoursAfter: number, state: EscalationState): Promise<Escalation> => {
        const createdAt = new Date(at('2026-12-01T02:00:00Z').getTime() + hoursAfter * HOUR);
        const { escalation } = await s.escalations.open(caseFor(conversationId, { department, createdAt, dueAt: new Date(createdAt.getTime() + 30 * MINUTE) }));
        if (state !== 'pending') {
          const patch = state === 'assigned' ? { assigneeId: agent.id } : state === 'resolved' ? { resolvedAt: new Date(createdAt.getTime() + HOUR) } : {};
          expect(await s.escalations.transition(escalation.id, ['pending'], state, patch)).toBe(true);
        }
        return (await s.escalations.get(escalation.id))!;
      };
      return {
        pendingA: await open('web:1', 'A', 1, 'pending'),
        pendingB: await open('web:2', 'B', 2, 'pending'),
        assignedA: await open('web:3', 'A', 0, 'assigned'),
        transferredB: await open('web:4', 'B', 3, 'transferred'),
        expiredA: await open('web:5', 'A', 4, 'expired'),
        resolvedA: await open('web:6', 'A', -1, 'resolved'),
      };
    }

    it('lists open cases oldest first, by state, by department and limited', async () => {
      const s = store();
      const c = await queues();
      const ids = (list: Escalation[]): number[] => list.map((e) => e.id);
      expect(ids(await s.escalations.list())).toEqual(ids([c.assignedA!, c.pendingA!, c.pendingB!, c.transferredB!, c.expiredA!]));
      expect(await s.escalations.list({ states: ['pending'] })).toEqual([c.pendingA, c.pendingB]);
      expect(ids(await s.escalations.list({ departments: ['A'] }))).toEqual(ids([c.assignedA!, c.pendingA!, c.expiredA!]));
      expect(ids(await s.escalations.list({ states: ['pending', 'transferred'], departments: ['B', 'C'] }))).toEqual(ids([c.pendingB!, c.transferredB!]));
      expect(await s.escalations.list({ departments: [] })).toEqual([]);
      expect(ids(await s.escalations.list({ limit: 2 }))).toEqual(ids([c.assignedA!, c.pendingA!]));
      expect(await s.escalations.list({ states: ['resolved'] })).toEqual([c.resolvedA]);
    });

    it('finds the unanswered pending and transferred cases whose expiry time has passed', async () => {
      const s = store();
      const c = await queues();
      await s.escalations.update(c.pendingB!.id, { firstResponseAt: at('2026-12-01T04:30:00Z') });
      const expireAt = (e: Escalation): Date => new Date(e.createdAt.getTime() + 2 * HOUR);
      // Two hours after creation: at 06:30 UTC pendingA's (05:00) has passed, transferredB's (07:00) not yet; pendingB was answered.
      expect((await s.escalations.dueForExpiry(at('2026-12-01T06:30:00Z'), expireAt)).map((e) => e.id)).toEqual([c.pendingA!.id]);
      expect((await s.escalations.dueForExpiry(at('2026-12-01T07:00:00Z'), expireAt)).map((e) => e.id)).toEqual([c.pendingA!.id, c.transferredB!.id]);
      expect(await s.escalations.dueForExpiry(at('2026-12-01T04:00:00Z'), expireAt)).toEqual([]);
    });

    it('counts open cases by department and state, overdue ones by department, and the oldest waiting per queue', async () => {
      const s = store();
      const c = await queues();
      expect(byDepartment(await s.escalations.countOpen())).toEqual(
        byDepartment([
          { department: 'A', state: 'pending', count: 1 },
          { department: 'A', state: 'assigned', count: 1 },
          { department: 'A', state: 'expired', count: 1 },
          { department: 'B', state: 'pending', count: 1 },
          { department: 'B', state: 'transferred', count: 1 },
        ]),
      );
      await s.escalations.update(c.pendingA!.id, { firstResponseAt: at('2026-12-01T03:10:00Z') });
      // Due 30 minutes after creation: at 05:00 UTC assignedA (02:30) and pendingB (04:30) are overdue; pendingA was answered.
      expect(byDepartment(await s.escalations.countOverdue(at('2026-12-01T05:00:00Z')))).toEqual([
        { department: 'A', count: 1 },
        { department: 'B', count: 1 },
      ]);
      expect(await s.escalations.countOverdue(at('2026-12-01T02:00:00Z'))).toEqual([]);
      // Assigned cases wait in nobody's queue: A's oldest waiting is pendingA, not assignedA.
      expect(byDepartment(await s.escalations.oldestWaiting())).toEqual([
        { department: 'A', since: c.pendingA!.createdAt },
        { department: 'B', since: c.pendingB!.createdAt },
      ]);
    });

    it('lists rated cases, the latest resolved first, limited', async () => {
      const s = store();
      const rate = async (conversationId: string, resolvedAt: string, rating: Escalation['rating']): Promise<number> => {
        const { escalation } = await s.escalations.open(caseFor(conversationId));
        await s.escalations.transition(escalation.id, OPEN_STATES, 'resolved', { resolvedAt: at(resolvedAt), ...(rating ? { rating } : {}) });
        return escalation.id;
      };
      const early = await rate('web:1', '2026-12-01T03:00:00Z', 'satisfied');
      const late = await rate('web:2', '2026-12-01T05:00:00Z', 'dissatisfied');
      await rate('web:3', '2026-12-01T06:00:00Z', null);
      const middle = await rate('web:4', '2026-12-01T04:00:00Z', 'basically_satisfied');
      expect((await s.escalations.rated()).map((e) => e.id)).toEqual([late, middle, early]);
      expect((await s.escalations.rated(2)).map((e) => [e.id, e.rating])).toEqual([
        [late, 'dissatisfied'],
        [middle, 'basically_satisfied'],
      ]);
    });
  });
}
