/** Contract of FAQ drafts: writing, listing, submitting, deciding, and the notices to the citizens who asked. */
import { describe, expect, it } from 'vitest';
import type { FaqDraft, NewFaqDraft } from '../../../src/handoff/ports.ts';
import { at, caseFor, createStaff, type CurrentStore } from './fixtures.ts';

const draftInput = (createdBy: number, overrides: Partial<NewFaqDraft> = {}): NewFaqDraft => ({
  escalationId: null,
  department: 'housing-fund',
  lang: 'zh',
  title: '公积金提取',
  questions: ['公积金怎么提取', '提取公积金要什么材料'],
  answer: '',
  createdBy,
  ...overrides,
});

export function faqDraftsContract(store: CurrentStore): void {
  describe('FAQ drafts', () => {
    it('stores a draft and reads it back equal, with the defaults of a new one', async () => {
      const s = store();
      const { id: by } = await createStaff(s, 'agent1');
      const { escalation } = await s.escalations.open(caseFor('web:a'));
      const created = at('2026-12-01T02:00:00Z');
      const fromCase = await s.faqDrafts.add(draftInput(by, { escalationId: escalation.id, answer: '登录公积金网厅办理。' }), created);
      expect(fromCase).toEqual({
        id: expect.any(Number),
        escalationId: escalation.id,
        department: 'housing-fund',
        lang: 'zh',
        title: '公积金提取',
        questions: ['公积金怎么提取', '提取公积金要什么材料'],
        answer: '登录公积金网厅办理。',
        status: 'draft',
        entryId: null,
        createdBy: by,
        createdAt: created,
        topicId: null,
        dueAt: null,
        submittedAt: null,
        submittedBy: null,
        updatedAt: null,
        askedIn: [],
      } satisfies FaqDraft);
      expect(await s.faqDrafts.get(fromCase.id)).toEqual(fromCase);

      const fromTopic = await s.faqDrafts.add(draftInput(by, { lang: 'en', topicId: 't-1', dueAt: at('2026-12-08T00:00:00Z'), askedIn: ['web:a', 'wechat:b'] }), created);
      expect(await s.faqDrafts.get(fromTopic.id)).toMatchObject({ lang: 'en', topicId: 't-1', dueAt: at('2026-12-08T00:00:00Z'), askedIn: ['web:a', 'wechat:b'] });
      expect(await s.faqDrafts.get(fromTopic.id + 1000)).toBeUndefined();
    });

    it('lists open drafts by due date (undated last), the others newest first, by status and department', async () => {
      const s = store();
      const { id: by } = await createStaff(s, 'agent1');
      const created = at('2026-12-01T02:00:00Z');
      const add = (overrides: Partial<NewFaqDraft>): Promise<FaqDraft> => s.faqDrafts.add(draftInput(by, overrides), created);
      const undated = await add({ title: 'undated' });
      const late = await add({ title: 'late', dueAt: at('2026-12-10T00:00:00Z') });
      const soon = await add({ title: 'soon', dueAt: at('2026-12-03T00:00:00Z'), department: 'public-security' });
      const published = await add({ title: 'published' });
      const rejected = await add({ title: 'rejected', department: 'public-security' });
      expect(await s.faqDrafts.decide(published.id, 'published', by, at('2026-12-02T00:00:00Z'), 'hf-withdraw')).toBe(true);
      expect(await s.faqDrafts.decide(rejected.id, 'rejected', by, at('2026-12-02T00:00:00Z'))).toBe(true);

      const titles = (drafts: FaqDraft[]): string[] => drafts.map((d) => d.title);
      expect(titles(await s.faqDrafts.list('draft'))).toEqual(['soon', 'late', 'undated']);
      expect(titles(await s.faqDrafts.list({ status: 'draft', departments: ['housing-fund'] }))).toEqual(['late', 'undated']);
      expect(titles(await s.faqDrafts.list())).toEqual(['rejected', 'published', 'soon', 'late', 'undated']);
      expect(titles(await s.faqDrafts.list({ departments: ['public-security'] }))).toEqual(['rejected', 'soon']);
      expect(titles(await s.faqDrafts.list('published'))).toEqual(['published']);
      expect(await s.faqDrafts.list({ departments: [] })).toEqual([]);
      expect((await s.faqDrafts.get(published.id))?.entryId).toBe('hf-withdraw');
      expect([undated, late, soon].every((d) => d.status === 'draft')).toBe(true);
    });

    it('changes and submits open drafts only, and decides each once', async () => {
      const s = store();
      const { id: writer } = await createStaff(s, 'agent1');
      const { id: admin } = await createStaff(s, 'admin', { role: 'admin' });
      const draft = await s.faqDrafts.add(draftInput(writer), at('2026-12-01T02:00:00Z'));
      const patch = { department: 'civil-affairs', title: '新标题', questions: ['新问题'], answer: '新答案', dueAt: at('2026-12-05T00:00:00Z') };
      expect(await s.faqDrafts.update(draft.id, patch, writer, at('2026-12-01T03:00:00Z'))).toBe(true);
      expect(await s.faqDrafts.update(draft.id, {}, writer, at('2026-12-01T03:30:00Z'))).toBe(true);
      expect(await s.faqDrafts.submit(draft.id, writer, at('2026-12-01T04:00:00Z'))).toBe(true);
      expect(await s.faqDrafts.get(draft.id)).toEqual({ ...draft, ...patch, updatedAt: at('2026-12-01T03:30:00Z'), submittedAt: at('2026-12-01T04:00:00Z'), submittedBy: writer });

      const decisions = await Promise.all([
        s.faqDrafts.decide(draft.id, 'published', admin, at('2026-12-01T05:00:00Z'), 'ca-new'),
        s.faqDrafts.decide(draft.id, 'rejected', admin, at('2026-12-01T05:00:00Z')),
      ]);
      expect(decisions.filter(Boolean)).toHaveLength(1);
      const decided = (await s.faqDrafts.get(draft.id))!;
      expect(decided.status).toBe(decisions[0] ? 'published' : 'rejected');
      expect(await s.faqDrafts.update(draft.id, { title: 'too late' }, writer, at('2026-12-01T06:00:00Z'))).toBe(false);
      expect(await s.faqDrafts.submit(draft.id, writer, at('2026-12-01T06:00:00Z'))).toBe(false);
      expect(await s.faqDrafts.decide(draft.id, 'published', admin, at('2026-12-01T06:00:00Z'))).toBe(false);
      expect(await s.faqDrafts.get(draft.id)).toEqual(decided);
      expect(await s.faqDrafts.update(draft.id + 1000, { title: 'x' }, writer, at('2026-12-01T06:00:00Z'))).toBe(false);
    });

    it('reserves the notice of each conversation once, even when reserved twice at once, and records how it went', async () => {
      const s = store();
      const { id: by } = await createStaff(s, 'agent1');
      const draft = await s.faqDrafts.add(draftInput(by, { askedIn: ['web:b', 'web:a'] }), at('2026-12-01T02:00:00Z'));
      const other = await s.faqDrafts.add(draftInput(by), at('2026-12-01T02:00:00Z'));
      const t = at('2026-12-02T00:00:00Z');
      const raced = await Promise.all([s.faqDrafts.reserveNotice(draft.id, 'web:b', 'web', t), s.faqDrafts.reserveNotice(draft.id, 'web:b', 'web', t)]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      expect(await s.faqDrafts.reserveNotice(draft.id, 'web:a', 'web', t)).toBe(true);
      expect(await s.faqDrafts.reserveNotice(draft.id, 'wechat:c', 'wechat', at('2026-12-01T23:00:00Z'))).toBe(true);
      expect(await s.faqDrafts.reserveNotice(draft.id, 'web:a', 'web', at('2026-12-03T00:00:00Z'))).toBe(false);
      expect(await s.faqDrafts.reserveNotice(other.id, 'web:a', 'web', t)).toBe(true);

      await s.faqDrafts.settleNotice(draft.id, 'web:a', 'sent', null);
      await s.faqDrafts.settleNotice(draft.id, 'wechat:c', 'failed', 'outside the 48-hour window');
      expect(await s.faqDrafts.notices(draft.id)).toEqual([
        { draftId: draft.id, conversationId: 'wechat:c', channel: 'wechat', status: 'failed', reason: 'outside the 48-hour window', createdAt: at('2026-12-01T23:00:00Z') },
        { draftId: draft.id, conversationId: 'web:a', channel: 'web', status: 'sent', reason: null, createdAt: t },
        { draftId: draft.id, conversationId: 'web:b', channel: 'web', status: 'pending', reason: null, createdAt: t },
      ]);
      expect((await s.faqDrafts.notices(other.id)).map((n) => n.status)).toEqual(['pending']);
    });
  });
}
