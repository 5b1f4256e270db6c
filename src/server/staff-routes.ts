/** The staff REST API: login, queues, cases (claim, reply, note, transfer, resolve), staff and audit (FAQ drafts: faq-draft-routes.ts). */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { nonEmptyText, parseOr400 as parse } from './request-parse.ts';
import type { MessageService } from '../core/message-service.ts';
import type { OutboundRouter } from '../core/outbound-router.ts';
import { neutraliseControls } from '../core/control-characters.ts';
import type { Store } from '../store/store.ts';
import { addDepartment, renameDepartment } from '../handoff/departments-file.ts';
import type { CannedReply } from '../handoff/handoff-settings.ts';
import { HandoffError, type HandoffService } from '../handoff/handoff-service.ts';
import { passwordProblem } from '../handoff/password-policy.ts';
import { hashPassword } from '../handoff/passwords.ts';
import { GENERAL_QUEUE } from '../handoff/routing.ts';
import type { StaffAuth } from '../handoff/staff-auth.ts';
import type { Escalation, StaffMember } from '../handoff/types.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import type { TextSealer } from '../privacy/sealed-text.ts';
import { DEVICE_COOKIE } from '../handoff/device-cookie.ts';
import type { RefusalDelay } from './refusal-delay.ts';
import { accountRouter, grantSession, refuseWeakPassword } from './account-routes.ts';
import { cookieOf, currentSession, currentStaff, requireStaff, SESSION_COOKIE, sessionToken } from './staff-session.ts';

export interface StaffRouteDeps {
  store: Store;
  service: MessageService;
  handoff: HandoffService;
  auth: StaffAuth;
  knowledgeDir: string;
  /** Reloads and retrains the knowledge base; resolves with the error when it failed. */
  reload: () => Promise<Error | null>;
  cannedReplies: () => CannedReply[];
  /** Opens the sealed originals of masked messages for the staff member holding a case. */
  sealer?: TextSealer;
  /** Sends later messages (published answers to the citizens who asked) on each conversation's channel. */
  outbound?: OutboundRouter;
  /** Holds refused logins' answers for a moment (LOGIN_REFUSAL_DELAY_MS). */
  refusalDelay?: RefusalDelay;
}

const id = z.coerce.number().int().positive();
const text = nonEmptyText;
/** Built once: a zod schema compiles its checks on first use, which would cost every (public) login request. */
const loginBody = z.object({ name: text(64), password: z.string().min(1).max(200) }).strict();
const STATES = ['pending', 'assigned', 'transferred', 'expired', 'resolved'] as const;

/** "N seconds" or "N minutes" for a Retry-After in a message. */
const waitText = (s: number): string => (s < 120 ? `${s} second${s === 1 ? '' : 's'}` : `${Math.ceil(s / 60)} minutes`);

/**
 * Mounted first, before request ids, the access log, the security headers and the body parser: a login that
 * its address's limit or the global one refuses whatever it says is answered without reading its body, with a
 * small fixed answer and no log line of its own (the refusals are counted in /metrics), so a flood of them
 * allocates, retains and writes as little as a refusal can beside the citizens' traffic. Clients with a device
 * cookie always go on to the full check.
 */
export function earlyLoginRefusal(auth: StaffAuth, delay?: RefusalDelay): RequestHandler {
  return (req, res, next) => {
    auth.refuseEarly({ address: req.ip ?? 'unknown', deviceCookie: cookieOf(req, DEVICE_COOKIE) }).then((refusal) => {
      if (!refusal || refusal.reason === 'invalid') next();
      else refuseLogin(res, refusal, delay);
    }, next);
  };
}

/**
 * Answers a refused login (429 throttled, 503 busy, with Retry-After) after the refusal delay, as raw HTTP: on
 * the early path nothing else is set; after the full check the security headers set before it stay.
 */
function refuseLogin(res: ServerResponse, refusal: { reason: 'throttled' | 'busy'; retryAfterSeconds: number }, delay?: RefusalDelay): void {
  const { reason, retryAfterSeconds } = refusal;
  const answer = (): void => {
    const body =
      reason === 'throttled'
        ? JSON.stringify({ error: 'throttled', message: `too many failed logins; try again in ${waitText(retryAfterSeconds)}` })
        : JSON.stringify({ error: 'busy', message: `too many logins at once; try again in ${waitText(retryAfterSeconds)}` });
    res.writeHead(reason === 'throttled' ? 429 : 503, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Retry-After': String(retryAfterSeconds),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(body);
  };
  if (delay) delay.send(res, answer, retryAfterSeconds * 1000);
  else answer();
}

function fail(res: Response, err: unknown): void {
  if (err instanceof HandoffError) {
    const status = { not_found: 404, forbidden: 403, conflict: 409, bad_request: 400 }[err.code];
    res.status(status).json({ error: err.code, message: err.message });
    return;
  }
  throw err;
}

export function departmentsOf(service: MessageService): Array<{ id: string; name: Record<string, string | undefined> }> {
  const kb = service.knowledgeBase;
  const list = kb.departments.map((d) => ({ id: d.id, name: d.name as Record<string, string | undefined> }));
  if (!list.some((d) => d.id === GENERAL_QUEUE)) list.push({ id: GENERAL_QUEUE, name: { zh: '综合咨询', en: 'General enquiries' } });
  return list;
}

export function staffRouter(deps: StaffRouteDeps): Router {
  const { store, handoff, auth } = deps;
  const router = Router();
  const anyStaff = requireStaff(auth);
  const supervisors = requireStaff(auth, ['supervisor', 'admin']);
  const admins = requireStaff(auth, ['admin']);
  /** Routes an account that must still enrol its second factor may use. */
  const enrolling = requireStaff(auth, undefined, { allowEnrolment: true });

  /** A case as the console shows it; the question is masked unless the viewer holds the case. */
  const view = async (e: Escalation, staff: StaffMember) => {
    const assignee = e.assigneeId ? await store.staff.get(e.assigneeId) : undefined;
    return {
      ...e,
      question: e.assigneeId === staff.id ? e.question : maskPersonalData(e.question),
      assignee: assignee ? { id: assignee.id, displayName: assignee.displayName } : null,
      breached: !e.firstResponseAt && Date.now() > e.dueAt.getTime(),
    };
  };

  router.post('/api/v1/staff/login', async (req: Request, res: Response) => {
    const body = parse(loginBody, req.body, res);
    if (!body) return;
    const result = await auth.login(body.name, body.password, { address: req.ip ?? 'unknown', deviceCookie: cookieOf(req, DEVICE_COOKIE) });
    if (!result.ok) {
      if (result.reason === 'invalid') {
        res.status(401).json({ error: 'invalid_login', message: 'wrong name or password' });
        return;
      }
      refuseLogin(res, result, deps.refusalDelay);
      return;
    }
    if ('pendingToken' in result) {
      // The password was right; the session comes with the code (POST /api/v1/staff/login/second-factor).
      res.json({ secondFactor: result.secondFactor, pendingToken: result.pendingToken });
      return;
    }
    await grantSession(req, res, auth, store, result, result.scope === 'enrol' ? 'second factor to set up' : null);
  });

  router.use(accountRouter({ store, auth }));

  router.post('/api/v1/staff/logout', enrolling, async (req: Request, res: Response) => {
    await auth.logout(sessionToken(req));
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.json({ ok: true });
  });

  router.get('/api/v1/staff/me', enrolling, (_req: Request, res: Response) => {
    res.json({ staff: currentStaff(res), csrfToken: res.locals.csrfToken as string, enrolmentRequired: currentSession(res).scope === 'enrol' });
  });

  router.get('/api/v1/departments', anyStaff, (_req: Request, res: Response) => {
    res.json({ departments: departmentsOf(deps.service) });
  });

  const departmentBody = z
    .object({
      id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,40}$/, 'must be 2-41 lowercase letters, digits and dashes'),
      name: z
        .object({ zh: text(80).optional(), en: text(80).optional() })
        .strict()
        .refine((n) => n.zh !== undefined || n.en !== undefined, 'needs a zh or an en name'),
    })
    .strict();

  /** Writes a change to the departments file, reloads the knowledge base (422 if it is now invalid) and audits it. */
  async function changeDepartments(res: Response, change: () => void, action: string, target: string, status: number): Promise<void> {
    try {
      change();
    } catch (err) {
      fail(res, err);
      return;
    }
    const error = await deps.reload();
    if (error) {
      res.status(422).json({ error: 'invalid_knowledge_base', message: error.message });
      return;
    }
    await store.audit.record({ staffId: currentStaff(res).id, action, target, detail: null, createdAt: new Date() });
    res.status(status).json({ departments: departmentsOf(deps.service) });
  }

  router.post('/api/v1/departments', admins, async (req: Request, res: Response) => {
    const body = parse(departmentBody, req.body, res);
    if (!body) return;
    await changeDepartments(res, () => addDepartment(deps.knowledgeDir, body), 'department_add', body.id, 201);
  });

  router.patch('/api/v1/departments/:id', admins, async (req: Request, res: Response) => {
    const body = parse(departmentBody.shape.name, req.body?.name, res);
    if (!body) return;
    const id = String(req.params.id);
    await changeDepartments(res, () => renameDepartment(deps.knowledgeDir, id, body), 'department_rename', id, 200);
  });

  router.get('/api/v1/escalations', anyStaff, async (req: Request, res: Response) => {
    const query = parse(z.object({ state: z.enum(STATES).optional() }), req.query, res);
    if (!query) return;
    const staff = currentStaff(res);
    const cases = await handoff.queue(staff, query.state ? [query.state] : undefined);
    res.json({ escalations: await Promise.all(cases.map((e) => view(e, staff))) });
  });

  router.get('/api/v1/escalations/:id', anyStaff, async (req: Request, res: Response) => {
    const caseId = parse(id, req.params.id, res);
    if (caseId === undefined) return;
    const staff = currentStaff(res);
    try {
      const e = await handoff.visible(caseId, staff);
      // The staff member holding the case reads what the citizen wrote; everyone else the masked text.
      const holder = e.state === 'assigned' && e.assigneeId === staff.id;
      let unsealed = 0;
      const [stored, notes, outbox] = await Promise.all([
        store.messages.listByConversation(e.conversationId, 500),
        store.notes.list(e.id),
        store.outbox.forConversation(e.conversationId),
      ]);
      const messages = stored.map((m) => {
        // The sealed original, still without controls and bidi overrides (they stay sealed, on record).
        const opened = holder && m.sealedText && deps.sealer ? deps.sealer.open(m.sealedText) : null;
        const original = opened === null ? null : neutraliseControls(opened);
        if (original !== null && original !== m.text) unsealed++;
        return {
          id: m.id,
          direction: m.direction,
          text: original ?? m.text,
          outcome: m.outcome,
          staffName: m.reply?.staffName,
          time: m.createdAt.toISOString(),
        };
      });
      await store.audit.record({ staffId: staff.id, action: 'view', target: e.caseNumber, detail: null, createdAt: new Date() });
      if (unsealed > 0) {
        await store.audit.record({ staffId: staff.id, action: 'view_personal_data', target: e.caseNumber, detail: `${unsealed} message(s)`, createdAt: new Date() });
      }
      // What the bot understood, with each candidate's title so staff need not look the entry id up.
      const entries = deps.service.knowledgeBase.entries;
      const candidates = e.candidates.map((c) => ({ ...c, title: entries.find((entry) => entry.id === c.entryId)?.title }));
      res.json({ escalation: { ...(await view(e, staff)), candidates }, messages, notes, outbox: outbox.filter((o) => o.status !== 'sent') });
    } catch (err) {
      fail(res, err);
    }
  });

  router.post('/api/v1/escalations/:id/claim', anyStaff, async (req: Request, res: Response) => {
    const caseId = parse(id, req.params.id, res);
    if (caseId === undefined) return;
    try {
      res.json({ escalation: await view(await handoff.claim(caseId, currentStaff(res)), currentStaff(res)) });
    } catch (err) {
      fail(res, err);
    }
  });

  router.post('/api/v1/escalations/:id/messages', anyStaff, async (req: Request, res: Response) => {
    const caseId = parse(id, req.params.id, res);
    const body = parse(z.object({ text: text(4000) }).strict(), req.body, res);
    if (caseId === undefined || !body) return;
    try {
      const { escalation, delivery } = await handoff.reply(caseId, currentStaff(res), body.text);
      res.json({ escalation: await view(escalation, currentStaff(res)), delivery });
    } catch (err) {
      fail(res, err);
    }
  });

  router.post('/api/v1/escalations/:id/notes', anyStaff, async (req: Request, res: Response) => {
    const caseId = parse(id, req.params.id, res);
    const body = parse(z.object({ text: text(4000) }).strict(), req.body, res);
    if (caseId === undefined || !body) return;
    try {
      await handoff.note(caseId, currentStaff(res), body.text);
      res.json({ notes: await store.notes.list(caseId) });
    } catch (err) {
      fail(res, err);
    }
  });

  router.post('/api/v1/escalations/:id/transfer', anyStaff, async (req: Request, res: Response) => {
    const caseId = parse(id, req.params.id, res);
    const body = parse(z.object({ department: text(64), note: z.string().max(1000).optional() }).strict(), req.body, res);
    if (caseId === undefined || !body) return;
    try {
      const known = departmentsOf(deps.service).map((d) => d.id);
      res.json({ escalation: await view(await handoff.transfer(caseId, currentStaff(res), body.department, body.note, known), currentStaff(res)) });
    } catch (err) {
      fail(res, err);
    }
  });

  router.post('/api/v1/escalations/:id/resolve', anyStaff, async (req: Request, res: Response) => {
    const caseId = parse(id, req.params.id, res);
    if (caseId === undefined) return;
    try {
      res.json({ escalation: await view(await handoff.resolve(caseId, currentStaff(res)), currentStaff(res)) });
    } catch (err) {
      fail(res, err);
    }
  });

  router.post('/api/v1/escalations/:id/reassign', supervisors, async (req: Request, res: Response) => {
    const caseId = parse(id, req.params.id, res);
    const body = parse(z.object({ staffId: id }).strict(), req.body, res);
    if (caseId === undefined || !body) return;
    const assignee = await store.staff.get(body.staffId);
    if (!assignee?.active) {
      res.status(400).json({ error: 'bad_request', message: 'staffId: no such active staff member' });
      return;
    }
    try {
      res.json({ escalation: await view(await handoff.reassign(caseId, currentStaff(res), assignee), currentStaff(res)) });
    } catch (err) {
      fail(res, err);
    }
  });

  router.post('/api/v1/escalations/:id/follow-up/close', supervisors, async (req: Request, res: Response) => {
    const caseId = parse(id, req.params.id, res);
    if (caseId === undefined) return;
    try {
      res.json({ escalation: await view(await handoff.closeFollowUp(caseId, currentStaff(res)), currentStaff(res)) });
    } catch (err) {
      fail(res, err);
    }
  });

  /** Staff open a case on a question from the demand log. */
  router.post('/api/v1/demand/:id/escalate', anyStaff, async (req: Request, res: Response) => {
    const demandId = parse(id, req.params.id, res);
    if (demandId === undefined) return;
    const signal = (await store.demand.list({ limit: 100_000 })).find((d) => d.id === demandId);
    if (!signal) {
      res.status(404).json({ error: 'not_found', message: `no demand signal ${demandId}` });
      return;
    }
    const { escalation, created } = await handoff.open({
      conversationId: signal.conversationId,
      channel: signal.channel,
      trigger: 'staff_opened',
      question: signal.text,
      candidates: signal.candidates,
    });
    res.status(created ? 201 : 200).json({ escalation: await view(escalation, currentStaff(res)), created });
  });

  router.get('/api/v1/ratings', supervisors, async (_req: Request, res: Response) => {
    const rated = await store.escalations.rated();
    const counts = { satisfied: 0, basically_satisfied: 0, dissatisfied: 0 };
    for (const e of rated) if (e.rating) counts[e.rating]++;
    res.json({ counts, cases: await Promise.all(rated.map((e) => view(e, currentStaff(res)))) });
  });

  router.get('/api/v1/canned-replies', anyStaff, (_req: Request, res: Response) => {
    res.json({ replies: deps.cannedReplies() });
  });

  router.get('/api/v1/kb/search', anyStaff, async (req: Request, res: Response) => {
    const query = parse(z.object({ q: text(200) }), req.query, res);
    if (!query) return;
    const entries = (await deps.service.search(query.q)).map((e) => ({ id: e.id, department: e.department, title: e.title, answer: e.answer }));
    res.json({ entries });
  });

  const staffBody = z
    .object({
      name: z.string().regex(/^[\p{L}\p{N}._-]{2,64}$/u, 'must be 2-64 letters, digits, ".", "_" or "-"'),
      displayName: text(64),
      role: z.enum(['agent', 'supervisor', 'admin']),
      departments: z.array(text(64)).default([]),
      password: z.string(),
    })
    .strict();

  router.get('/api/v1/staff', supervisors, async (_req: Request, res: Response) => {
    res.json({ staff: await store.staff.list() });
  });

  router.post('/api/v1/staff', admins, async (req: Request, res: Response) => {
    const body = parse(staffBody, req.body, res);
    if (!body) return;
    const weak = await passwordProblem(body.password, body);
    if (weak) {
      refuseWeakPassword(res, weak);
      return;
    }
    const problem = departmentProblem(body.role, body.departments, deps.service);
    if (problem) {
      res.status(400).json({ error: 'bad_request', message: problem });
      return;
    }
    if (await store.staff.findByName(body.name)) {
      res.status(409).json({ error: 'conflict', message: `staff member "${body.name}" already exists` });
      return;
    }
    const created = await store.staff.create({ ...body, passwordHash: await hashPassword(body.password) });
    await store.audit.record({ staffId: currentStaff(res).id, action: 'staff_add', target: created.name, detail: created.role, createdAt: new Date() });
    res.status(201).json({ staff: created });
  });

  router.patch('/api/v1/staff/:id', admins, async (req: Request, res: Response) => {
    const staffId = parse(id, req.params.id, res);
    // No default for departments here: a patch without them (a password reset) keeps the account's own.
    const body = parse(staffBody.omit({ name: true }).extend({ active: z.boolean(), departments: z.array(text(64)) }).partial().strict(), req.body, res);
    if (staffId === undefined || !body) return;
    const existing = await store.staff.get(staffId);
    if (!existing) {
      res.status(404).json({ error: 'not_found', message: `no staff member ${staffId}` });
      return;
    }
    const weak = body.password !== undefined ? await passwordProblem(body.password, { name: existing.name, displayName: body.displayName ?? existing.displayName }) : null;
    if (weak) {
      refuseWeakPassword(res, weak);
      return;
    }
    const problem = departmentProblem(body.role ?? existing.role, body.departments ?? existing.departments, deps.service);
    if (problem) {
      res.status(400).json({ error: 'bad_request', message: problem });
      return;
    }
    const { password, ...rest } = body;
    await store.staff.update(staffId, { ...rest, ...(password ? { passwordHash: await hashPassword(password) } : {}) });
    // A reset password or a deactivated account ends the account's sessions (an administrator resetting their own keeps this one).
    if (password || body.active === false) {
      if (staffId === currentStaff(res).id) await store.sessions.deleteOthers(staffId, currentSession(res).id);
      else await store.sessions.deleteForStaff(staffId);
    }
    const me = currentStaff(res).id;
    if (password) await store.audit.record({ staffId: me, action: 'password_reset', target: existing.name, detail: null, createdAt: new Date() });
    await store.audit.record({ staffId: me, action: 'staff_update', target: existing.name, detail: Object.keys(body).join(','), createdAt: new Date() });
    res.json({ staff: await store.staff.get(staffId) });
  });

  /** Starts an account's login limits afresh (its own back-offs and slowing; not those of addresses). */
  router.post('/api/v1/staff/:id/unlock', admins, async (req: Request, res: Response) => {
    const staffId = parse(id, req.params.id, res);
    if (staffId === undefined) return;
    const existing = await store.staff.get(staffId);
    if (!existing) {
      res.status(404).json({ error: 'not_found', message: `no staff member ${staffId}` });
      return;
    }
    await store.staff.unlockLogin(staffId);
    await store.audit.record({ staffId: currentStaff(res).id, action: 'login_unlock', target: existing.name, detail: null, createdAt: new Date() });
    res.json({ staff: existing });
  });

  router.get('/api/v1/audit', admins, async (_req: Request, res: Response) => {
    res.json({ entries: await store.audit.list(500) });
  });

  return router;
}

/** Agents need at least one department, and every department must exist. */
export function departmentProblem(role: string, departments: readonly string[], service: MessageService): string | null {
  const known = new Set(departmentsOf(service).map((d) => d.id));
  const unknown = departments.filter((d) => !known.has(d));
  if (unknown.length > 0) return `unknown department(s): ${unknown.join(', ')}; known: ${[...known].join(', ')}`;
  if (role === 'agent' && departments.length === 0) return 'an agent needs at least one department';
  return null;
}
