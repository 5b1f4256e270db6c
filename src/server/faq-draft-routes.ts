/**
 * FAQ drafts in the staff API: written from a case ("save as FAQ") or a demand topic, assigned to a department with a
 * due date; that department's staff edit and submit them, an administrator publishes one (the entry is checked
 * against the knowledge-base schema, written, and the running bot retrains), which marks its topic covered and can
 * tell the citizens who asked. Every step goes to the audit log.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { DeliveryResult } from '../core/delivery.ts';
import type { Outcome, Reply } from '../core/message.ts';
import type { OutboundRouter } from '../core/outbound-router.ts';
import type { MessageService } from '../core/message-service.ts';
import type { Store } from '../store/store.ts';
import { distinctAskers, notifyAskers, type Asker, type NoticeCounts } from '../demand/answer-notices.ts';
import type { DemandTopics } from '../demand/demand-topics.ts';
import { addBusinessDays } from '../handoff/business-days.ts';
import { draftProblem, writePublishedEntry } from '../handoff/faq-publisher.ts';
import { loadServiceHours } from '../handoff/handoff-settings.ts';
import type { FaqDraft } from '../handoff/ports.ts';
import type { StaffAuth } from '../handoff/staff-auth.ts';
import type { StaffMember } from '../handoff/types.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { nonEmptyText, parseOr400 as parse } from './request-parse.ts';
import { currentStaff, requireStaff } from './staff-session.ts';
import { departmentsOf } from './staff-routes.ts';

export interface FaqDraftRouteDeps {
  store: Store;
  service: MessageService;
  auth: StaffAuth;
  knowledgeDir: string;
  /** Reloads this instance only. */
  reloadHere: () => Promise<Error | null>;
  /** Tells the other instances that the knowledge base changed (they write what was published into their own folders first). */
  announceReload: () => void;
  topics: DemandTopics;
  /** Sends the published answer to the citizens who asked; without it nobody is told. */
  outbound?: OutboundRouter | undefined;
}

/** Working days a new draft has before it is due, unless staff choose a date. */
export const DEFAULT_DRAFT_DAYS = 5;

const id = z.coerce.number().int().positive();
const text = nonEmptyText;
const questionList = z.array(text(500)).min(1, 'needs at least one question').max(50, 'at most 50 questions');

/** A due date: YYYY-MM-DD (the end of that day, China time) or an ISO time. */
export const dueDate = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date (YYYY-MM-DD) or an ISO time')
  .transform((v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(Date.parse(`${v}T23:59:59.999+08:00`)) : new Date(v)));

/** The default due date of a draft made now: DEFAULT_DRAFT_DAYS working days (knowledge/service-hours.yaml). */
export function defaultDueAt(knowledgeDir: string, now: Date): Date {
  return addBusinessDays(loadServiceHours(knowledgeDir), now, DEFAULT_DRAFT_DAYS);
}

/** Agents work on drafts of their departments and their own; supervisors and administrators on all. */
export function canWorkOn(staff: StaffMember, draft: FaqDraft): boolean {
  return staff.role !== 'agent' || staff.departments.includes(draft.department) || draft.createdBy === staff.id;
}

/** A draft as the API returns it: `overdue` when still open past its due date; who asked only as a count. */
export function draftView(draft: FaqDraft, now = new Date()) {
  const { askedIn, ...rest } = draft;
  return { ...rest, askedBy: askedIn.length, overdue: draft.status === 'draft' && draft.dueAt !== null && now.getTime() > draft.dueAt.getTime() };
}

export function faqDraftRouter(deps: FaqDraftRouteDeps): Router {
  const { store } = deps;
  const router = Router();
  const anyStaff = requireStaff(deps.auth);
  const admins = requireStaff(deps.auth, ['admin']);
  /** Drafts being published right now: a second click waits for the first instead of writing twice. */
  const publishing = new Set<number>();
  const knownDepartment = (department: string) => departmentsOf(deps.service).some((d) => d.id === department);
  const audit = (staff: StaffMember, action: string, draft: FaqDraft | number, detail: string | null = null) =>
    store.audit.record({ staffId: staff.id, action, target: `draft ${typeof draft === 'number' ? draft : draft.id}`, detail, createdAt: new Date() });

  /** The draft of the path, when the caller may work on it; answers 404/403 itself otherwise. */
  const findDraft = async (req: Request, res: Response): Promise<FaqDraft | undefined> => {
    const draftId = parse(id, req.params.id, res);
    if (draftId === undefined) return undefined;
    const draft = await store.faqDrafts.get(draftId);
    if (!draft) {
      res.status(404).json({ error: 'not_found', message: `no draft ${draftId}` });
      return undefined;
    }
    if (!canWorkOn(currentStaff(res), draft)) {
      res.status(403).json({ error: 'forbidden', message: `draft ${draftId} is assigned to another department` });
      return undefined;
    }
    return draft;
  };

  /** Refuses (409) changes to a draft that is already published or rejected. */
  const stillOpen = (draft: FaqDraft, res: Response): boolean => {
    if (draft.status === 'draft') return true;
    res.status(409).json({ error: 'conflict', message: `draft ${draft.id} is already ${draft.status}` });
    return false;
  };

  router.post('/api/v1/faq-drafts', anyStaff, async (req: Request, res: Response) => {
    const body = parse(
      z
        .object({
          escalationId: id.optional(),
          department: text(64),
          lang: z.enum(['zh', 'en']).default('zh'),
          title: text(200),
          questions: questionList,
          answer: text(8000),
          dueAt: dueDate.optional(),
        })
        .strict(),
      req.body,
      res,
    );
    if (!body) return;
    if (!knownDepartment(body.department)) {
      res.status(400).json({ error: 'bad_request', message: `department: unknown department "${body.department}"` });
      return;
    }
    const staff = currentStaff(res);
    const now = new Date();
    const askedIn = body.escalationId ? [(await store.escalations.get(body.escalationId))?.conversationId].filter((c): c is string => c !== undefined) : [];
    const draft = await store.faqDrafts.add(
      {
        escalationId: body.escalationId ?? null,
        department: body.department,
        lang: body.lang,
        title: maskPersonalData(body.title),
        questions: body.questions.map(maskPersonalData),
        answer: maskPersonalData(body.answer),
        createdBy: staff.id,
        dueAt: body.dueAt ?? defaultDueAt(deps.knowledgeDir, now),
        askedIn,
      },
      now,
    );
    await audit(staff, 'faq_draft', draft, body.escalationId ? `case ${body.escalationId}` : null);
    res.status(201).json({ draft: draftView(draft) });
  });

  router.get('/api/v1/faq-drafts', anyStaff, async (req: Request, res: Response) => {
    const query = parse(z.object({ status: z.enum(['draft', 'published', 'rejected']).optional() }), req.query, res);
    if (!query) return;
    const staff = currentStaff(res);
    const now = new Date();
    res.json({ drafts: (await store.faqDrafts.list({ status: query.status })).filter((d) => canWorkOn(staff, d)).map((d) => draftView(d, now)) });
  });

  router.get('/api/v1/faq-drafts/:id', anyStaff, async (req: Request, res: Response) => {
    const draft = await findDraft(req, res);
    if (!draft) return;
    res.json({ draft: draftView(draft), notices: await countNotices(store, draft.id) });
  });

  router.patch('/api/v1/faq-drafts/:id', anyStaff, async (req: Request, res: Response) => {
    const body = parse(
      z
        .object({
          title: text(200).optional(),
          department: text(64).optional(),
          questions: questionList.optional(),
          answer: z.string().trim().max(8000, 'must be at most 8000 characters').optional(),
          dueAt: dueDate.optional(),
        })
        .strict()
        .refine((b) => Object.values(b).some((v) => v !== undefined), 'nothing to change'),
      req.body,
      res,
    );
    if (!body) return;
    const draft = await findDraft(req, res);
    if (!draft || !stillOpen(draft, res)) return;
    if (body.department !== undefined && !knownDepartment(body.department)) {
      res.status(400).json({ error: 'bad_request', message: `department: unknown department "${body.department}"` });
      return;
    }
    const staff = currentStaff(res);
    const patch = {
      ...body,
      title: body.title === undefined ? undefined : maskPersonalData(body.title),
      questions: body.questions?.map(maskPersonalData),
      answer: body.answer === undefined ? undefined : maskPersonalData(body.answer),
    };
    if (!(await store.faqDrafts.update(draft.id, patch, staff.id, new Date()))) {
      res.status(409).json({ error: 'conflict', message: `draft ${draft.id} is no longer open` });
      return;
    }
    await audit(staff, 'faq_draft_edit', draft, Object.keys(body).filter((k) => body[k as keyof typeof body] !== undefined).join(','));
    res.json({ draft: draftView((await store.faqDrafts.get(draft.id))!) });
  });

  router.post('/api/v1/faq-drafts/:id/submit', anyStaff, async (req: Request, res: Response) => {
    const draft = await findDraft(req, res);
    if (!draft || !stillOpen(draft, res)) return;
    const problem = draftProblem(draft);
    if (problem) {
      res.status(400).json({ error: 'bad_request', message: problem });
      return;
    }
    const staff = currentStaff(res);
    await store.faqDrafts.submit(draft.id, staff.id, new Date());
    await audit(staff, 'faq_draft_submit', draft);
    res.json({ draft: draftView((await store.faqDrafts.get(draft.id))!) });
  });

  router.post('/api/v1/faq-drafts/:id/publish', admins, async (req: Request, res: Response) => {
    const body = parse(z.object({ notify: z.boolean().default(false) }).strict(), req.body ?? {}, res);
    if (!body) return;
    const draft = await findDraft(req, res);
    if (!draft) return;
    if (draft.status !== 'draft') {
      res.status(404).json({ error: 'not_found', message: `no open draft ${draft.id}` });
      return;
    }
    const problem = draftProblem(draft) ?? (knownDepartment(draft.department) ? null : `department: unknown department "${draft.department}"`);
    if (problem) {
      res.status(400).json({ error: 'bad_request', message: problem });
      return;
    }
    if (publishing.has(draft.id)) {
      res.status(409).json({ error: 'conflict', message: `draft ${draft.id} is being published` });
      return;
    }
    publishing.add(draft.id);
    try {
      const staff = currentStaff(res);
      const { entryId, undo } = writePublishedEntry(deps.knowledgeDir, draft);
      const error = await deps.reloadHere();
      if (error) {
        undo();
        await deps.reloadHere();
        res.status(422).json({ error: 'invalid_entry', message: error.message });
        return;
      }
      if (!(await store.faqDrafts.decide(draft.id, 'published', staff.id, new Date(), entryId))) {
        res.status(409).json({ error: 'conflict', message: `draft ${draft.id} is no longer open` });
        return;
      }
      // Only now does the database say it is published: the other instances copy it from there into their own folders.
      deps.announceReload();
      if (draft.topicId) await deps.topics.setStatus(draft.topicId, { status: 'covered', draftId: draft.id, entryId, by: staff.id });
      await store.audit.record({ staffId: staff.id, action: 'publish', target: entryId, detail: `draft ${draft.id}${draft.topicId ? `, topic ${draft.topicId}` : ''}`, createdAt: new Date() });
      let notifications: NoticeCounts | null = null;
      if (body.notify) {
        notifications = await notifyAskers(
          { store, deliver: deliverWithRetry, replyWindowHours: (channel) => deps.outbound?.replyWindowHours(channel) },
          { draftId: draft.id, entryId, title: draft.title, answer: draft.answer },
          await askersOf(draft),
        );
        await audit(staff, 'faq_notify', draft, `sent ${notifications.sent}, skipped ${notifications.skipped}, failed ${notifications.failed}`);
      }
      res.json({ draft: draftView((await store.faqDrafts.get(draft.id))!), entryId, notifications });
    } finally {
      publishing.delete(draft.id);
    }
  });

  router.post('/api/v1/faq-drafts/:id/reject', admins, async (req: Request, res: Response) => {
    const body = parse(z.object({ reason: text(500).optional() }).strict(), req.body ?? {}, res);
    if (!body) return;
    const draft = await findDraft(req, res);
    if (!draft) return;
    const staff = currentStaff(res);
    if (!(await store.faqDrafts.decide(draft.id, 'rejected', staff.id, new Date()))) {
      res.status(404).json({ error: 'not_found', message: `no open draft ${draft.id}` });
      return;
    }
    await audit(staff, 'faq_draft_reject', draft, body.reason ?? null);
    res.json({ draft: draftView((await store.faqDrafts.get(draft.id))!) });
  });

  /**
   * Delivers through the outbound router; a network failure (such as a keep-alive connection the platform closed
   * while the bot was retraining) gets one more try of the stored message, so the transcript holds it once.
   */
  async function deliverWithRetry(conversationId: string, replies: readonly Reply[], outcome: Outcome): Promise<DeliveryResult> {
    if (!deps.outbound) return { status: 'undeliverable', reason: 'no_route', detail: 'no outbound router' };
    const first = await deps.outbound.deliver(conversationId, replies, outcome);
    if (first.status === 'sent' || first.reason !== 'failed') return first;
    const stored = (await store.outbox.forConversation(conversationId)).at(-1);
    return stored && (await deps.outbound.flushPending([stored])) === 1 ? { status: 'sent' } : first;
  }

  /** Who asked: the conversations saved with the draft, and those of its topic's questions in the last 30 days. */
  async function askersOf(draft: FaqDraft): Promise<Asker[]> {
    const saved = await Promise.all(
      draft.askedIn.map(async (conversationId) => ({ conversationId, channel: (await store.conversations.get(conversationId))?.channel ?? 'unknown', lang: draft.lang })),
    );
    if (!draft.topicId) return saved;
    const grouping = await deps.topics.group({});
    const topic = grouping.topics.find((t) => t.id === draft.topicId);
    return distinctAskers([...saved, ...(topic ? deps.topics.askers(topic, grouping) : [])]);
  }

  return router;
}

/** How the citizens of a published draft were told: counts by outcome. */
async function countNotices(store: Store, draftId: number): Promise<Record<'sent' | 'skipped' | 'failed' | 'pending', number>> {
  const counts = { sent: 0, skipped: 0, failed: 0, pending: 0 };
  for (const n of await store.faqDrafts.notices(draftId)) counts[n.status]++;
  return counts;
}
