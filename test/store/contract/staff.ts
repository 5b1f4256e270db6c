/** Contract of the staff side: accounts, sessions, second factor, case notes and the audit log. */
import { describe, expect, it } from 'vitest';
import type { StaffSession } from '../../../src/handoff/ports.ts';
import { at, caseFor, createStaff, MINUTE, newStaff, type CurrentStore } from './fixtures.ts';

export function staffContract(store: CurrentStore): void {
  describe('staff accounts', () => {
    it('creates an account and finds it by id and by name in any case, with its password hash and unlock epoch', async () => {
      const s = store();
      const created = await s.staff.create(newStaff('Agent1', { displayName: '李明', departments: ['housing-fund', 'general'] }));
      const member = { id: created.id, name: 'Agent1', displayName: '李明', role: 'agent', departments: ['housing-fund', 'general'], active: true };
      expect(created).toEqual(member);
      expect(await s.staff.get(created.id)).toEqual(member);
      expect(await s.staff.findByName('Agent1')).toEqual({ ...member, passwordHash: 'hash-of-Agent1', loginEpoch: 0 });
      expect(await s.staff.findByName('agent1')).toEqual({ ...member, passwordHash: 'hash-of-Agent1', loginEpoch: 0 });
      expect(await s.staff.findByName('agent2')).toBeUndefined();
      expect(await s.staff.get(created.id + 1000)).toBeUndefined();
    });

    it('refuses a second account whose name differs only in case', async () => {
      const s = store();
      await createStaff(s, 'agent1');
      await expect(createStaff(s, 'AGENT1')).rejects.toThrow();
      expect(await s.staff.count()).toBe(1);
    });

    it('lists accounts by name regardless of case, and counts them', async () => {
      const s = store();
      expect(await s.staff.count()).toBe(0);
      for (const name of ['carol', 'Bob', 'alice', 'Dave']) await createStaff(s, name);
      expect((await s.staff.list()).map((m) => m.name)).toEqual(['alice', 'Bob', 'carol', 'Dave']);
      expect(await s.staff.count()).toBe(4);
    });

    it('updates the fields given and starts login throttling afresh on unlock', async () => {
      const s = store();
      const member = await createStaff(s, 'agent1');
      await s.staff.update(member.id, { displayName: '王芳', role: 'supervisor', departments: [], active: false, passwordHash: 'new-hash' });
      expect(await s.staff.findByName('agent1')).toEqual({
        id: member.id,
        name: 'agent1',
        displayName: '王芳',
        role: 'supervisor',
        departments: [],
        active: false,
        passwordHash: 'new-hash',
        loginEpoch: 0,
      });
      await s.staff.update(member.id, { active: true });
      await s.staff.update(member.id, {});
      await s.staff.unlockLogin(member.id);
      await s.staff.unlockLogin(member.id);
      expect(await s.staff.findByName('agent1')).toMatchObject({ displayName: '王芳', active: true, loginEpoch: 2 });
    });
  });

  describe('staff sessions', () => {
    it('creates, touches, narrows and ends sessions', async () => {
      const s = store();
      const a = await createStaff(s, 'a');
      const b = await createStaff(s, 'b');
      const t0 = at('2026-12-01T02:00:00Z');
      const session = (id: string, staffId: number, extra: Partial<StaffSession> = {}): StaffSession => ({ id, staffId, csrfToken: `csrf-${id}`, createdAt: t0, lastSeenAt: t0, ...extra });
      await s.sessions.create(session('s1', a.id));
      await s.sessions.create(session('s2', a.id, { scope: 'enrol' }));
      await s.sessions.create(session('s3', a.id));
      await s.sessions.create(session('s4', b.id));
      expect(await s.sessions.get('s1')).toEqual(session('s1', a.id, { scope: 'full' }));
      expect(await s.sessions.get('s2')).toEqual(session('s2', a.id, { scope: 'enrol' }));
      expect(await s.sessions.get('nope')).toBeUndefined();

      await s.sessions.touch('s1', at('2026-12-01T02:05:00Z'));
      await s.sessions.setScope('s2', 'full');
      expect(await s.sessions.get('s1')).toEqual(session('s1', a.id, { scope: 'full', lastSeenAt: at('2026-12-01T02:05:00Z') }));
      expect((await s.sessions.get('s2'))?.scope).toBe('full');

      await s.sessions.deleteOthers(a.id, 's1');
      expect([await s.sessions.get('s1'), await s.sessions.get('s2'), await s.sessions.get('s3'), await s.sessions.get('s4')].map((x) => x?.id)).toEqual(['s1', undefined, undefined, 's4']);
      await s.sessions.delete('s1');
      expect(await s.sessions.get('s1')).toBeUndefined();
      await s.sessions.create(session('s5', b.id));
      await s.sessions.deleteForStaff(b.id);
      expect([await s.sessions.get('s4'), await s.sessions.get('s5')]).toEqual([undefined, undefined]);
    });
  });

  describe('second factor', () => {
    it('keeps a pending secret until enabled, then the secret, the last step, failures and recovery codes', async () => {
      const s = store();
      const { id } = await createStaff(s, 'agent1');
      expect(await s.secondFactors.get(id)).toBeUndefined();
      expect(await s.secondFactors.unusedRecoveryCodes(id)).toBe(0);

      await s.secondFactors.setPending(id, 'sealed-1');
      await s.secondFactors.setPending(id, 'sealed-2');
      expect(await s.secondFactors.get(id)).toEqual({ secret: null, pendingSecret: 'sealed-2', enabledAt: null, lastStep: null, failures: 0, lockedUntil: null });
      await s.secondFactors.recordFailure(id, 3, at('2026-12-01T02:15:00Z'));
      expect(await s.secondFactors.get(id)).toMatchObject({ failures: 3, lockedUntil: at('2026-12-01T02:15:00Z') });

      const enabledAt = at('2026-12-01T02:20:00Z');
      await s.secondFactors.enable(id, enabledAt, 59_000_000, ['h1', 'h2', 'h3']);
      expect(await s.secondFactors.get(id)).toEqual({ secret: 'sealed-2', pendingSecret: null, enabledAt, lastStep: 59_000_000, failures: 0, lockedUntil: null });
      expect(await s.secondFactors.unusedRecoveryCodes(id)).toBe(3);

      // An older step never moves the last one back; an accepted code clears the failures.
      await s.secondFactors.recordFailure(id, 2, null);
      await s.secondFactors.acceptStep(id, 58_999_999);
      expect(await s.secondFactors.get(id)).toMatchObject({ lastStep: 59_000_000, failures: 0 });
      await s.secondFactors.acceptStep(id, 59_000_004);
      expect((await s.secondFactors.get(id))?.lastStep).toBe(59_000_004);
    });

    it('takes each recovery code once, even when two logins race, and a good one ends a lock', async () => {
      const s = store();
      const { id } = await createStaff(s, 'agent1');
      await s.secondFactors.setPending(id, 'sealed');
      await s.secondFactors.enable(id, at('2026-12-01T02:20:00Z'), 1, ['h1', 'h2', 'h3']);
      await s.secondFactors.recordFailure(id, 5, at('2026-12-01T03:00:00Z'));
      const used = await Promise.all([s.secondFactors.useRecoveryCode(id, 'h1', at('2026-12-01T02:30:00Z')), s.secondFactors.useRecoveryCode(id, 'h1', at('2026-12-01T02:30:00Z'))]);
      expect(used.filter(Boolean)).toHaveLength(1);
      expect(await s.secondFactors.get(id)).toMatchObject({ failures: 0, lockedUntil: null });
      expect(await s.secondFactors.useRecoveryCode(id, 'h1', at('2026-12-01T02:31:00Z'))).toBe(false);
      expect(await s.secondFactors.useRecoveryCode(id, 'unknown', at('2026-12-01T02:31:00Z'))).toBe(false);
      expect(await s.secondFactors.unusedRecoveryCodes(id)).toBe(2);

      // Enabling again replaces the codes.
      await s.secondFactors.setPending(id, 'sealed-new');
      await s.secondFactors.enable(id, at('2026-12-01T04:00:00Z'), 2, ['h9']);
      expect(await s.secondFactors.useRecoveryCode(id, 'h2', at('2026-12-01T04:01:00Z'))).toBe(false);
      expect(await s.secondFactors.unusedRecoveryCodes(id)).toBe(1);
      expect((await s.secondFactors.get(id))?.secret).toBe('sealed-new');
    });

    it('clears the second factor and its recovery codes', async () => {
      const s = store();
      const a = await createStaff(s, 'a');
      const b = await createStaff(s, 'b');
      for (const { id } of [a, b]) {
        await s.secondFactors.setPending(id, `sealed-${id}`);
        await s.secondFactors.enable(id, at('2026-12-01T02:20:00Z'), 1, ['h1', 'h2']);
      }
      await s.secondFactors.clear(a.id);
      expect(await s.secondFactors.get(a.id)).toBeUndefined();
      expect(await s.secondFactors.unusedRecoveryCodes(a.id)).toBe(0);
      expect((await s.secondFactors.get(b.id))?.secret).toBe(`sealed-${b.id}`);
      expect(await s.secondFactors.unusedRecoveryCodes(b.id)).toBe(2);
    });
  });

  describe('case notes and audit log', () => {
    it('adds notes to a case with the writer’s display name and lists them in order', async () => {
      const s = store();
      const a = await createStaff(s, 'a', { displayName: '李明' });
      const b = await createStaff(s, 'b', { displayName: '王芳' });
      const { escalation } = await s.escalations.open(caseFor('web:a'));
      const other = (await s.escalations.open(caseFor('web:b'))).escalation;
      const first = await s.notes.add(escalation.id, a.id, '已电话联系', at('2026-12-01T02:10:00Z'));
      expect(first).toEqual({ id: expect.any(Number), escalationId: escalation.id, staffId: a.id, staffName: '李明', text: '已电话联系', createdAt: at('2026-12-01T02:10:00Z') });
      const second = await s.notes.add(escalation.id, b.id, '转住房公积金', at('2026-12-01T02:20:00Z'));
      await s.notes.add(other.id, a.id, 'other case', at('2026-12-01T02:15:00Z'));
      expect(await s.notes.list(escalation.id)).toEqual([first, second]);
      expect(await s.notes.list(escalation.id + 1000)).toEqual([]);
    });

    it('records audit entries and lists them newest first, limited', async () => {
      const s = store();
      const { id } = await createStaff(s, 'admin', { role: 'admin' });
      const t = (minutes: number): Date => new Date(at('2026-12-01T02:00:00Z').getTime() + minutes * MINUTE);
      await s.audit.record({ staffId: id, action: 'login', target: 'staff:admin', detail: null, createdAt: t(0) });
      await s.audit.record({ staffId: null, action: 'login_failed', target: 'staff:nobody', detail: 'unknown name', createdAt: t(1) });
      await s.audit.record({ staffId: id, action: 'case.claim', target: 'case:1', detail: '{"from":"pending"}', createdAt: t(2) });
      const entries = await s.audit.list();
      expect(entries.map(({ id: _id, ...rest }) => rest)).toEqual([
        { staffId: id, action: 'case.claim', target: 'case:1', detail: '{"from":"pending"}', createdAt: t(2) },
        { staffId: null, action: 'login_failed', target: 'staff:nobody', detail: 'unknown name', createdAt: t(1) },
        { staffId: id, action: 'login', target: 'staff:admin', detail: null, createdAt: t(0) },
      ]);
      expect(await s.audit.list(1)).toEqual([entries[0]]);
    });
  });
}
