/**
 * The demand side of the staff API: topics of what citizens asked that the bot could not answer (ranked, with status
 * actions: ignore, FAQ draft, add to an existing entry), the FAQ drafts made from them, the managers' dashboard
 * figures, and exports.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type Request, type Response } from 'express';
import { parse as parseYaml, stringify } from 'yaml';
import { z } from 'zod';
import { nonEmptyText, parseOr400 as parse } from './request-parse.ts';
import type { MessageService } from '../core/message-service.ts';
import type { OutboundRouter } from '../core/outbound-router.ts';
import { distinctAskers } from '../demand/answer-notices.ts';
import type { Store } from '../store/store.ts';
import { demandDashboard, localDay } from '../demand/demand-dashboard.ts';
import { DemandTopics, floodView, type Grouping, type TopicView } from '../demand/demand-topics.ts';
import type { CountOptions } from '../demand/signal-counting.ts';
import type { Topic } from '../demand/topic-types.ts';
import { PUBLISHED_FOLDER } from '../handoff/faq-publisher.ts';
import type { StaffAuth } from '../handoff/staff-auth.ts';
import type { StaffMember } from '../handoff/types.ts';
import { VARIANTS_PREFIX } from '../knowledge/knowledge-loader.ts';
import { detectLanguage } from '../nlu/language.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { currentStaff, requireStaff } from './staff-session.ts';
import { defaultDueAt, draftView, dueDate, faqDraftRouter } from './faq-draft-routes.ts';
import { departmentsOf } from './staff-routes.ts';

export interface DemandRouteDeps {
  store: Store;
  service: MessageService;
  auth: StaffAuth;
  knowledgeDir: string;
  reload: () => Promise<Error | null>;
  /** Reloads this instance only (the FAQ publisher tells the others once the draft is marked published). */
  reloadHere: () => Promise<Error | null>;
  /** Tells the other instances that the knowledge base changed. */
  announceReload: () => void;
  /** Sends published answers to the citizens who asked. */
  outbound?: OutboundRouter | undefined;
  /** How demand signals are counted (repeat window, flood size); default 24 hours and 10 messages. */
  counting?: CountOptions | undefined;
}

const DAY_MS = 86_400_000;
const UTC_OFFSET_MS = 8 * 3_600_000;
const text = nonEmptyText;
const date = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date (YYYY-MM-DD) or an ISO time')
  .transform((v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(Date.parse(`${v}T00:00:00Z`) - UTC_OFFSET_MS) : new Date(v)));
const KINDS = ['咨询', '投诉/求助', '建言'] as const;
const STATUSES = ['open', 'drafted', 'covered', 'ignored'] as const;

const topicQuery = z.object({
  from: date.optional(),
  to: date.optional(),
  channel: z.string().max(64).optional(),
  department: z.string().max(64).optional(),
  kind: z.enum(KINDS).optional(),
  status: z.enum(STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/** Agents see topics of their departments and those no department is suggested for; others see all. */
function visibleTo(staff: StaffMember, view: TopicView): boolean {
  return staff.role !== 'agent' || view.department === null || staff.departments.includes(view.department);
}

/** One CSV field, always quoted; a leading = + - @ is defused so spreadsheets do not run it as a formula. */
export function csvField(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function demandRouter(deps: DemandRouteDeps): Router {
  const { store, service, auth } = deps;
  const router = Router();
  const anyStaff = requireStaff(auth);
  const supervisors = requireStaff(auth, ['supervisor', 'admin']);
  const admins = requireStaff(auth, ['admin']);
  const departmentOf = (entryId: string) => service.knowledgeBase.entries.find((e) => e.id === entryId)?.department;
  const topics = new DemandTopics(store, departmentOf, undefined, deps.counting);
  const entryTitle = (entryId: string) => {
    const entry = service.knowledgeBase.entries.find((e) => e.id === entryId);
    return entry ? { title: entry.title.zh ?? entry.title.en ?? entryId, department: entry.department } : undefined;
  };

  /** Ranked topics of the query's period, filtered and joined with their status. */
  const ranked = async (query: z.infer<typeof topicQuery>, staff: StaffMember): Promise<{ grouping: Grouping; views: Array<{ topic: Topic; view: TopicView }> }> => {
    const grouping = await topics.group({ from: query.from, to: query.to, channel: query.channel });
    const all = await Promise.all(grouping.topics.map(async (topic) => ({ topic, view: await topics.view(topic, grouping) })));
    const views = all
      .filter(({ view }) => visibleTo(staff, view))
      .filter(({ view }) => (query.status ? view.status === query.status : view.status !== 'ignored'))
      .filter(({ view }) => !query.kind || view.kind === query.kind)
      .filter(({ view }) => !query.department || (query.department === 'unknown' ? view.department === null : view.department === query.department));
    return { grouping, views };
  };

  /** Finds a topic by id in the query's period; answers 404 itself when absent or not visible. */
  const findTopic = async (req: Request, res: Response): Promise<{ grouping: Grouping; topic: Topic; view: TopicView } | undefined> => {
    const query = parse(topicQuery, req.query, res);
    if (!query) return undefined;
    const grouping = await topics.group({ from: query.from, to: query.to, channel: query.channel });
    const topic = grouping.topics.find((t) => t.id === req.params.id);
    const view = topic ? await topics.view(topic, grouping) : undefined;
    if (!topic || !view || !visibleTo(currentStaff(res), view)) {
      res.status(404).json({ error: 'not_found', message: `no topic ${String(req.params.id)} in this period` });
      return undefined;
    }
    return { grouping, topic, view };
  };

  router.use(faqDraftRouter({ ...deps, topics }));

  router.get('/api/v1/demand/topics', anyStaff, async (req: Request, res: Response) => {
    const query = parse(topicQuery, req.query, res);
    if (!query) return;
    const { grouping, views } = await ranked(query, currentStaff(res));
    res.json({
      from: grouping.from.toISOString(),
      to: grouping.to.toISOString(),
      signals: grouping.received,
      counted: grouping.signals.length,
      repeats: grouping.repeats,
      floods: { messages: grouping.floodMessages, sources: grouping.floods.length },
      computedAt: grouping.computedAt.toISOString(),
      topics: views.slice(0, query.limit ?? 200).map((v) => v.view),
    });
  });

  /** Floods of the period: near-identical texts from one address or conversation, left out of the topics. */
  router.get('/api/v1/demand/floods', anyStaff, async (req: Request, res: Response) => {
    const query = parse(topicQuery, req.query, res);
    if (!query) return;
    const grouping = await topics.group({ from: query.from, to: query.to, channel: query.channel });
    res.json({
      from: grouping.from.toISOString(),
      to: grouping.to.toISOString(),
      messages: grouping.floodMessages,
      floods: grouping.floods.slice(0, query.limit ?? 50).map(floodView),
    });
  });

  router.get('/api/v1/demand/topics/:id', anyStaff, async (req: Request, res: Response) => {
    const found = await findTopic(req, res);
    if (!found) return;
    const { grouping, topic, view } = found;
    const known = new Set(departmentsOf(service).map((d) => d.id));
    res.json({
      topic: view,
      questions: topics.questions(topic, grouping),
      nearestEntries: topics.nearestEntries(topic, grouping).map((e) => ({ ...e, ...(entryTitle(e.entryId) ?? { title: null, department: null }) })),
      draftSuggestion: {
        title: view.label,
        department: view.department && known.has(view.department) ? view.department : null,
        questions: topics.variants(topic, grouping),
        lang: view.lang,
        dueAt: defaultDueAt(deps.knowledgeDir, new Date()).toISOString(),
      },
    });
  });

  router.post('/api/v1/demand/topics/:id/ignore', anyStaff, async (req: Request, res: Response) => {
    const body = parse(z.object({ reason: text(500) }).strict(), req.body, res);
    if (!body) return;
    const found = await findTopic(req, res);
    if (!found) return;
    const staff = currentStaff(res);
    await topics.setStatus(found.topic.id, { status: 'ignored', reason: body.reason, label: found.view.label, by: staff.id });
    await store.audit.record({ staffId: staff.id, action: 'topic_ignore', target: found.topic.id, detail: body.reason, createdAt: new Date() });
    res.json({ topic: await topics.view(found.topic, found.grouping) });
  });

  router.post('/api/v1/demand/topics/:id/reopen', anyStaff, async (req: Request, res: Response) => {
    const found = await findTopic(req, res);
    if (!found) return;
    const staff = currentStaff(res);
    await topics.setStatus(found.topic.id, { status: 'open', label: found.view.label, by: staff.id });
    await store.audit.record({ staffId: staff.id, action: 'topic_reopen', target: found.topic.id, detail: null, createdAt: new Date() });
    res.json({ topic: await topics.view(found.topic, found.grouping) });
  });

  /**
   * "Create FAQ from this topic": a draft with the topic's questions as variants, assigned to its likely department (or
   * the one chosen) with a due date; the answer may be left for that department to write.
   */
  router.post('/api/v1/demand/topics/:id/faq-draft', anyStaff, async (req: Request, res: Response) => {
    const body = parse(
      z
        .object({
          answer: z.string().trim().max(8000, 'must be at most 8000 characters').default(''),
          title: text(200).optional(),
          department: text(64).optional(),
          lang: z.enum(['zh', 'en']).optional(),
          questions: z.array(text(500)).min(1, 'needs at least one question').max(50, 'at most 50 questions').optional(),
          dueAt: dueDate.optional(),
        })
        .strict(),
      req.body,
      res,
    );
    if (!body) return;
    const found = await findTopic(req, res);
    if (!found) return;
    const { topic, grouping, view } = found;
    const known = new Set(departmentsOf(service).map((d) => d.id));
    const department = body.department ?? (view.department && known.has(view.department) ? view.department : undefined);
    if (!department || !known.has(department)) {
      res.status(400).json({ error: 'bad_request', message: `department: ${department ? `unknown department "${department}"` : 'no likely department; choose one'}` });
      return;
    }
    const staff = currentStaff(res);
    const now = new Date();
    const draft = await store.faqDrafts.add(
      {
        escalationId: null,
        department,
        lang: body.lang ?? view.lang,
        title: maskPersonalData(body.title ?? view.label),
        questions: (body.questions ?? topics.variants(topic, grouping)).map(maskPersonalData),
        answer: maskPersonalData(body.answer),
        createdBy: staff.id,
        topicId: topic.id,
        dueAt: body.dueAt ?? defaultDueAt(deps.knowledgeDir, now),
        askedIn: distinctAskers(topics.askers(topic, grouping)).map((a) => a.conversationId),
      },
      now,
    );
    await topics.setStatus(topic.id, { status: 'drafted', label: view.label, draftId: draft.id, by: staff.id });
    await store.audit.record({
      staffId: staff.id,
      action: 'faq_draft',
      target: `draft ${draft.id}`,
      detail: `topic ${topic.id}, ${department}, due ${draft.dueAt?.toISOString().slice(0, 10)}`,
      createdAt: now,
    });
    res.status(201).json({ draft: draftView(draft), topic: await topics.view(topic, grouping) });
  });

  /**
   * Adds the topic's questions as variants of an existing entry: written to `published/variants-<entry id>.yaml`
   * (the loader merges such files into the entry), then the bot retrains. Admins only, like publishing.
   */
  router.post('/api/v1/demand/topics/:id/add-to-entry', admins, async (req: Request, res: Response) => {
    const body = parse(z.object({ entryId: text(200), questions: z.array(text(500)).min(1).max(50).optional() }).strict(), req.body, res);
    if (!body) return;
    const found = await findTopic(req, res);
    if (!found) return;
    const { topic, grouping, view } = found;
    if (!entryTitle(body.entryId) || !/^[a-z0-9][a-z0-9-]*$/.test(body.entryId)) {
      res.status(400).json({ error: 'bad_request', message: `entryId: no entry "${body.entryId}"` });
      return;
    }
    const folder = join(deps.knowledgeDir, PUBLISHED_FOLDER);
    const file = join(folder, `${VARIANTS_PREFIX}${body.entryId}.yaml`);
    const before = existsSync(file) ? readFileSync(file, 'utf8') : null;
    const existing = (before ? (parseYaml(before) as { questions?: { zh?: string[]; en?: string[] } }).questions : undefined) ?? {};
    const questions: { zh?: string[]; en?: string[] } = { ...existing };
    for (const q of (body.questions ?? topics.variants(topic, grouping)).map(maskPersonalData)) {
      const lang = detectLanguage(q, 'zh');
      const list = questions[lang] ?? [];
      if (!list.includes(q)) list.push(q);
      questions[lang] = list;
    }
    mkdirSync(folder, { recursive: true });
    writeFileSync(file, `# Question variants added from demand topic(s) in the staff console; merged into entry ${body.entryId}.\n${stringify({ variantsOf: body.entryId, questions })}`);
    const error = await deps.reload();
    if (error) {
      if (before === null) rmSync(file, { force: true });
      else writeFileSync(file, before);
      await deps.reload();
      res.status(422).json({ error: 'invalid_entry', message: error.message });
      return;
    }
    const staff = currentStaff(res);
    await topics.setStatus(topic.id, { status: 'covered', label: view.label, entryId: body.entryId, by: staff.id });
    await store.audit.record({ staffId: staff.id, action: 'add_variants', target: body.entryId, detail: `topic ${topic.id}`, createdAt: new Date() });
    res.json({ entryId: body.entryId, file: `${PUBLISHED_FOLDER}/${VARIANTS_PREFIX}${body.entryId}.yaml`, topic: await topics.view(topic, grouping) });
  });

  router.get('/api/v1/demand/dashboard', supervisors, async (req: Request, res: Response) => {
    const query = parse(z.object({ from: date.optional(), to: date.optional() }), req.query, res);
    if (!query) return;
    const to = query.to ?? new Date();
    const from = query.from ?? new Date(to.getTime() - 29 * DAY_MS);
    const fromDay = localDay(from.getTime(), UTC_OFFSET_MS);
    const toDay = localDay(to.getTime(), UTC_OFFSET_MS);
    if (fromDay > toDay || Date.parse(toDay) - Date.parse(fromDay) > 366 * DAY_MS) {
      res.status(400).json({ error: 'bad_request', message: 'from: must be before to, at most a year apart' });
      return;
    }
    const periodStart = new Date(Date.parse(`${fromDay}T00:00:00Z`) - UTC_OFFSET_MS);
    const { grouping, views } = await ranked({ from: periodStart, to: new Date(Date.parse(`${toDay}T00:00:00Z`) - UTC_OFFSET_MS + DAY_MS - 1) }, currentStaff(res));
    const figures = await demandDashboard(store.demandAnalytics, { fromDay, toDay, utcOffsetMs: UTC_OFFSET_MS, departmentOf, countedSignals: grouping.signals });
    const brief = (v: TopicView) => ({ id: v.id, label: v.label, size: v.size, messages: v.messages, thisWeek: v.thisWeek, growth: v.growth, weekly: v.weekly });
    res.json({
      ...figures,
      demand: { signals: grouping.received, counted: grouping.signals.length, repeats: grouping.repeats, floodMessages: grouping.floodMessages, floods: grouping.floods.length },
      topTopics: [...views].sort((a, b) => b.view.size - a.view.size).slice(0, 10).map((v) => brief(v.view)),
      risingTopics: [...views]
        .filter((v) => v.view.thisWeek >= 2 && v.view.growth > 1)
        .sort((a, b) => b.view.growth - a.view.growth || b.view.thisWeek - a.view.thisWeek)
        .slice(0, 10)
        .map((v) => brief(v.view)),
    });
  });

  const exportRows = async (req: Request, res: Response) => {
    const query = parse(topicQuery, req.query, res);
    if (!query) return undefined;
    const staff = currentStaff(res);
    const { grouping, views } = await ranked(query, staff);
    await store.audit.record({ staffId: staff.id, action: 'demand_export', target: `${views.length} topics`, detail: null, createdAt: new Date() });
    return { grouping, list: views.map(({ topic, view }) => ({ ...view, questions: topics.questions(topic, grouping) })) };
  };

  router.get('/api/v1/demand/export.json', anyStaff, async (req: Request, res: Response) => {
    const rows = await exportRows(req, res);
    if (!rows) return;
    res.set('Content-Disposition', `attachment; filename="demand-topics-${localDay(Date.now(), UTC_OFFSET_MS)}.json"`);
    res.json({ from: rows.grouping.from.toISOString(), to: rows.grouping.to.toISOString(), topics: rows.list });
  });

  router.get('/api/v1/demand/export.csv', anyStaff, async (req: Request, res: Response) => {
    const rows = await exportRows(req, res);
    if (!rows) return;
    const header = ['topic_id', 'label', 'kind', 'size', 'department', 'status', 'keywords', 'question', 'channel', 'reason', 'asked_at'];
    const lines = [header.map(csvField).join(',')];
    for (const t of rows.list) {
      for (const q of t.questions) {
        lines.push([t.id, t.label, t.kind, t.size, t.department ?? '', t.status, t.keywords.join(' '), q.text, q.channel, q.reason, q.createdAt].map(csvField).join(','));
      }
    }
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="demand-topics-${localDay(Date.now(), UTC_OFFSET_MS)}.csv"`);
    // The byte-order mark makes Excel read the file as UTF-8 (Chinese text); CRLF line ends as RFC 4180.
    res.send(`\uFEFF${lines.join('\r\n')}\r\n`);
  });

  return router;
}
