/** PostgreSQL implementations of the human-side repositories (and the outbox). */
import type { Reply } from '../../core/message.ts';
import type { OutboxItem, OutboxRepository, OutboxStatus } from '../../core/ports.ts';
import type {
  AuditRepository,
  EscalationFilter,
  EscalationPatch,
  EscalationRepository,
  FaqDraft,
  FaqDraftFilter,
  FaqDraftPatch,
  FaqDraftRepository,
  FaqNotice,
  NewEscalation,
  NewFaqDraft,
  NewStaff,
  NoteRepository,
  SessionRepository,
  SessionScope,
  StaffRepository,
  StaffSession,
} from '../../handoff/ports.ts';
import type { AuditEntry, Escalation, EscalationNote, EscalationState, StaffMember } from '../../handoff/types.ts';
import { OPEN_STATES, QUEUED_STATES } from '../../handoff/types.ts';
import { toAuditEntry, toDraft, toEscalation, toNote, toNotice, toOldestWaiting, toOutbox, toSession, toStaff, toStaffLogin } from '../rows.ts';
import type { PgDatabase } from './database.ts';
import { Params } from './sql.ts';

const PATCH_COLUMNS: Record<keyof EscalationPatch, string> = {
  department: 'department',
  assigneeId: 'assignee_id',
  dueAt: 'due_at',
  firstResponseAt: 'first_response_at',
  resolvedAt: 'resolved_at',
  expiredAt: 'expired_at',
  rating: 'rating',
  ratingComment: 'rating_comment',
  deliveryProblem: 'delivery_problem',
  followUpOpen: 'follow_up_open',
};

/** `column = $n` for each field the patch sets. */
function patchSets(patch: EscalationPatch, params: Params): string[] {
  const sets: string[] = [];
  for (const [key, value] of Object.entries(patch) as Array<[keyof EscalationPatch, unknown]>) {
    if (value === undefined) continue;
    sets.push(`${PATCH_COLUMNS[key]} = ${params.add(value instanceof Date ? value.getTime() : value)}`);
  }
  return sets;
}

/** The open states written out, as in the partial index escalations_one_open, so that the planner can use it. */
const OPEN_STATE_LIST = OPEN_STATES.map((s) => `'${s}'`).join(', ');

export class PgEscalations implements EscalationRepository {
  constructor(private readonly db: PgDatabase) {}

  open(input: NewEscalation): Promise<{ escalation: Escalation; created: boolean }> {
    return this.db.write(async () => {
      // Opens for one conversation wait for each other, so the later one finds the case the earlier one opened.
      await this.db.query("SELECT pg_advisory_xact_lock(hashtext('huiying escalation ' || $1))", [input.conversationId]);
      const existing = await this.findOpen(input.conversationId);
      if (existing) return { escalation: existing, created: false };
      // The counter row stays locked until the unit commits: concurrent opens of one day take consecutive numbers.
      const seq = await this.db.row<{ last: number }>(
        'INSERT INTO case_counters (day, last) VALUES ($1, 1) ON CONFLICT (day) DO UPDATE SET last = case_counters.last + 1 RETURNING last',
        [input.caseDay],
      );
      const caseNumber = `HY-${input.caseDay}-${String(seq!.last).padStart(4, '0')}`;
      const row = await this.db.row(
        `INSERT INTO escalations (case_number, conversation_id, channel, department, state, "trigger", question, candidates, created_at, due_at)
         VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9) RETURNING *`,
        [
          caseNumber,
          input.conversationId,
          input.channel,
          input.department,
          input.trigger,
          input.question,
          JSON.stringify(input.candidates),
          input.createdAt.getTime(),
          input.dueAt.getTime(),
        ],
      );
      return { escalation: toEscalation(row!), created: true };
    });
  }

  async get(id: number): Promise<Escalation | undefined> {
    const row = await this.db.row('SELECT * FROM escalations WHERE id = $1', [id]);
    return row ? toEscalation(row) : undefined;
  }

  async findOpen(conversationId: string): Promise<Escalation | undefined> {
    const row = await this.db.row(`SELECT * FROM escalations WHERE conversation_id = $1 AND state IN (${OPEN_STATE_LIST})`, [conversationId]);
    return row ? toEscalation(row) : undefined;
  }

  async latest(conversationId: string): Promise<Escalation | undefined> {
    const row = await this.db.row('SELECT * FROM escalations WHERE conversation_id = $1 ORDER BY id DESC LIMIT 1', [conversationId]);
    return row ? toEscalation(row) : undefined;
  }

  async list(filter: EscalationFilter = {}): Promise<Escalation[]> {
    if (filter.departments?.length === 0) return [];
    const params = new Params();
    const where = [`state = ANY(${params.add(filter.states ?? OPEN_STATES)}::text[])`];
    if (filter.departments) where.push(`department = ANY(${params.add(filter.departments)}::text[])`);
    const rows = await this.db.rows(`SELECT * FROM escalations WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT ${params.add(filter.limit ?? 500)}`, params.values);
    return rows.map(toEscalation);
  }

  async transition(id: number, from: readonly EscalationState[], to: EscalationState, patch: EscalationPatch = {}): Promise<boolean> {
    // One statement: of two racing claims the second waits for the first's row lock, then finds the state changed.
    const params = new Params();
    const sets = [`state = ${params.add(to)}`, ...patchSets(patch, params)];
    const changed = await this.db.changes(
      `UPDATE escalations SET ${sets.join(', ')} WHERE id = ${params.add(id)} AND state = ANY(${params.add(from)}::text[]) RETURNING id`,
      params.values,
    );
    return changed === 1;
  }

  async update(id: number, patch: EscalationPatch): Promise<void> {
    const params = new Params();
    const sets = patchSets(patch, params);
    if (sets.length === 0) return;
    await this.db.query(`UPDATE escalations SET ${sets.join(', ')} WHERE id = ${params.add(id)}`, params.values);
  }

  async dueForExpiry(now: Date, expireAt: (e: Escalation) => Date): Promise<Escalation[]> {
    return (await this.list({ states: ['pending', 'transferred'] })).filter((e) => e.firstResponseAt === null && expireAt(e) <= now);
  }

  countOpen(): Promise<Array<{ department: string; state: EscalationState; count: number }>> {
    return this.db.rows(`SELECT department, state, COUNT(*) AS count FROM escalations WHERE state IN (${OPEN_STATE_LIST}) GROUP BY department, state`);
  }

  countOverdue(now: Date): Promise<Array<{ department: string; count: number }>> {
    return this.db.rows(
      `SELECT department, COUNT(*) AS count FROM escalations
       WHERE state IN (${OPEN_STATE_LIST}) AND first_response_at IS NULL AND due_at < $1 GROUP BY department`,
      [now.getTime()],
    );
  }

  async oldestWaiting(): Promise<Array<{ department: string; since: Date }>> {
    const rows = await this.db.rows(
      'SELECT department, MIN(created_at) AS oldest FROM escalations WHERE state = ANY($1::text[]) GROUP BY department',
      [QUEUED_STATES],
    );
    return rows.map(toOldestWaiting);
  }

  async rated(limit = 200): Promise<Escalation[]> {
    // NULLS LAST: SQLite sorts nulls first, so last in descending order.
    const rows = await this.db.rows('SELECT * FROM escalations WHERE rating IS NOT NULL ORDER BY resolved_at DESC NULLS LAST LIMIT $1', [limit]);
    return rows.map(toEscalation);
  }
}

export class PgStaff implements StaffRepository {
  constructor(private readonly db: PgDatabase) {}

  async create(input: NewStaff): Promise<StaffMember> {
    const row = await this.db.row(
      'INSERT INTO staff (name, display_name, role, departments, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
      [input.name, input.displayName, input.role, JSON.stringify(input.departments), input.passwordHash, Date.now()],
    );
    return toStaff(row!);
  }

  async get(id: number): Promise<StaffMember | undefined> {
    const row = await this.db.row('SELECT * FROM staff WHERE id = $1', [id]);
    return row ? toStaff(row) : undefined;
  }

  async findByName(name: string): Promise<(StaffMember & { passwordHash: string; loginEpoch: number }) | undefined> {
    const row = await this.db.row('SELECT * FROM staff WHERE lower(name) = lower($1)', [name]);
    return row ? toStaffLogin(row) : undefined;
  }

  async list(): Promise<StaffMember[]> {
    return (await this.db.rows('SELECT * FROM staff ORDER BY lower(name) COLLATE "C"')).map(toStaff);
  }

  async update(id: number, patch: Partial<Pick<StaffMember, 'displayName' | 'role' | 'departments' | 'active'>> & { passwordHash?: string }): Promise<void> {
    const columns: Record<string, unknown> = {
      display_name: patch.displayName,
      role: patch.role,
      departments: patch.departments ? JSON.stringify(patch.departments) : undefined,
      active: patch.active,
      password_hash: patch.passwordHash,
    };
    const params = new Params();
    const sets = Object.entries(columns)
      .filter(([, v]) => v !== undefined)
      .map(([column, v]) => `${column} = ${params.add(v)}`);
    if (sets.length === 0) return;
    await this.db.query(`UPDATE staff SET ${sets.join(', ')} WHERE id = ${params.add(id)}`, params.values);
  }

  async unlockLogin(id: number): Promise<void> {
    await this.db.query('UPDATE staff SET login_epoch = login_epoch + 1 WHERE id = $1', [id]);
  }

  async count(): Promise<number> {
    return (await this.db.row<{ n: number }>('SELECT COUNT(*) AS n FROM staff'))!.n;
  }
}

export class PgSessions implements SessionRepository {
  constructor(private readonly db: PgDatabase) {}

  async create(s: StaffSession): Promise<void> {
    await this.db.query('INSERT INTO staff_sessions (id, staff_id, csrf_token, created_at, last_seen_at, scope) VALUES ($1, $2, $3, $4, $5, $6)', [
      s.id,
      s.staffId,
      s.csrfToken,
      s.createdAt.getTime(),
      s.lastSeenAt.getTime(),
      s.scope ?? 'full',
    ]);
  }

  async get(id: string): Promise<StaffSession | undefined> {
    const row = await this.db.row('SELECT * FROM staff_sessions WHERE id = $1', [id]);
    return row ? toSession(row) : undefined;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.db.query('UPDATE staff_sessions SET last_seen_at = $1 WHERE id = $2', [at.getTime(), id]);
  }

  async delete(id: string): Promise<void> {
    await this.db.query('DELETE FROM staff_sessions WHERE id = $1', [id]);
  }

  async deleteForStaff(staffId: number): Promise<void> {
    await this.db.query('DELETE FROM staff_sessions WHERE staff_id = $1', [staffId]);
  }

  async deleteOthers(staffId: number, keepId: string): Promise<void> {
    await this.db.query('DELETE FROM staff_sessions WHERE staff_id = $1 AND id <> $2', [staffId, keepId]);
  }

  async setScope(id: string, scope: SessionScope): Promise<void> {
    await this.db.query('UPDATE staff_sessions SET scope = $1 WHERE id = $2', [scope, id]);
  }
}

export class PgNotes implements NoteRepository {
  constructor(private readonly db: PgDatabase) {}

  async add(escalationId: number, staffId: number, text: string, at: Date): Promise<EscalationNote> {
    const row = await this.db.row(
      `WITH note AS (INSERT INTO escalation_notes (escalation_id, staff_id, text, created_at) VALUES ($1, $2, $3, $4) RETURNING *)
       SELECT note.*, s.display_name FROM note JOIN staff s ON s.id = note.staff_id`,
      [escalationId, staffId, text, at.getTime()],
    );
    return toNote(row!);
  }

  async list(escalationId: number): Promise<EscalationNote[]> {
    const rows = await this.db.rows('SELECT n.*, s.display_name FROM escalation_notes n JOIN staff s ON s.id = n.staff_id WHERE escalation_id = $1 ORDER BY n.id', [
      escalationId,
    ]);
    return rows.map(toNote);
  }
}

export class PgAudit implements AuditRepository {
  constructor(private readonly db: PgDatabase) {}

  async record(e: Omit<AuditEntry, 'id'>): Promise<void> {
    await this.db.query('INSERT INTO audit_log (staff_id, action, target, detail, created_at) VALUES ($1, $2, $3, $4, $5)', [
      e.staffId,
      e.action,
      e.target,
      e.detail,
      e.createdAt.getTime(),
    ]);
  }

  async list(limit = 200): Promise<AuditEntry[]> {
    const rows = await this.db.rows('SELECT * FROM audit_log ORDER BY id DESC LIMIT $1', [limit]);
    return rows.map(toAuditEntry);
  }
}

export class PgOutbox implements OutboxRepository {
  constructor(private readonly db: PgDatabase) {}

  async add(conversationId: string, channel: string, replies: readonly Reply[], at: Date): Promise<number> {
    const row = await this.db.row<{ id: number }>(
      "INSERT INTO outbox (conversation_id, channel, replies, status, created_at, updated_at) VALUES ($1, $2, $3, 'pending', $4, $4) RETURNING id",
      [conversationId, channel, JSON.stringify(replies), at.getTime()],
    );
    return row!.id;
  }

  async mark(id: number, status: OutboxStatus, reason: string | null = null): Promise<void> {
    await this.db.query('UPDATE outbox SET status = $1, reason = $2, attempts = attempts + 1, updated_at = $3 WHERE id = $4', [status, reason, Date.now(), id]);
  }

  async pending(): Promise<OutboxItem[]> {
    return (await this.db.rows("SELECT * FROM outbox WHERE status = 'pending' ORDER BY id")).map(toOutbox);
  }

  async forConversation(conversationId: string): Promise<OutboxItem[]> {
    return (await this.db.rows('SELECT * FROM outbox WHERE conversation_id = $1 ORDER BY id', [conversationId])).map(toOutbox);
  }
}

const DRAFT_COLUMNS: Record<keyof FaqDraftPatch, string> = { department: 'department', title: 'title', questions: 'questions', answer: 'answer', dueAt: 'due_at' };

export class PgFaqDrafts implements FaqDraftRepository {
  constructor(private readonly db: PgDatabase) {}

  async add(d: NewFaqDraft, at: Date): Promise<FaqDraft> {
    const row = await this.db.row(
      `INSERT INTO faq_drafts (escalation_id, department, lang, title, questions, answer, status, created_by, created_at, topic_id, due_at, asked_in)
       VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $9, $10, $11) RETURNING *`,
      [
        d.escalationId,
        d.department,
        d.lang,
        d.title,
        JSON.stringify(d.questions),
        d.answer,
        d.createdBy,
        at.getTime(),
        d.topicId ?? null,
        d.dueAt?.getTime() ?? null,
        JSON.stringify(d.askedIn ?? []),
      ],
    );
    return toDraft(row!);
  }

  async get(id: number): Promise<FaqDraft | undefined> {
    const row = await this.db.row('SELECT * FROM faq_drafts WHERE id = $1', [id]);
    return row ? toDraft(row) : undefined;
  }

  async list(filter: FaqDraft['status'] | FaqDraftFilter = {}): Promise<FaqDraft[]> {
    const { status, departments } = typeof filter === 'string' ? { status: filter, departments: undefined } : filter;
    if (departments?.length === 0) return [];
    const params = new Params();
    const where: string[] = [];
    if (status) where.push(`status = ${params.add(status)}`);
    if (departments) where.push(`department = ANY(${params.add(departments)}::text[])`);
    const order = status === 'draft' ? 'due_at IS NULL, due_at, id' : 'id DESC';
    const rows = await this.db.rows(`SELECT * FROM faq_drafts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}`, params.values);
    return rows.map(toDraft);
  }

  async update(id: number, patch: FaqDraftPatch, by: number, at: Date): Promise<boolean> {
    const params = new Params();
    const sets = [`updated_at = ${params.add(at.getTime())}`, `updated_by = ${params.add(by)}`];
    for (const [key, value] of Object.entries(patch) as Array<[keyof FaqDraftPatch, unknown]>) {
      if (value === undefined) continue;
      sets.push(`${DRAFT_COLUMNS[key]} = ${params.add(value instanceof Date ? value.getTime() : Array.isArray(value) ? JSON.stringify(value) : value)}`);
    }
    return (await this.db.changes(`UPDATE faq_drafts SET ${sets.join(', ')} WHERE id = ${params.add(id)} AND status = 'draft'`, params.values)) === 1;
  }

  async submit(id: number, by: number, at: Date): Promise<boolean> {
    return (await this.db.changes("UPDATE faq_drafts SET submitted_at = $1, submitted_by = $2 WHERE id = $3 AND status = 'draft'", [at.getTime(), by, id])) === 1;
  }

  async decide(id: number, status: 'published' | 'rejected', by: number, at: Date, entryId?: string): Promise<boolean> {
    const changed = await this.db.changes("UPDATE faq_drafts SET status = $1, decided_by = $2, decided_at = $3, entry_id = $4 WHERE id = $5 AND status = 'draft'", [
      status,
      by,
      at.getTime(),
      entryId ?? null,
      id,
    ]);
    return changed === 1;
  }

  async reserveNotice(draftId: number, conversationId: string, channel: string, at: Date): Promise<boolean> {
    const changed = await this.db.changes(
      "INSERT INTO faq_notices (draft_id, conversation_id, channel, status, created_at) VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT DO NOTHING",
      [draftId, conversationId, channel, at.getTime()],
    );
    return changed === 1;
  }

  async settleNotice(draftId: number, conversationId: string, status: Exclude<FaqNotice['status'], 'pending'>, reason: string | null): Promise<void> {
    await this.db.query('UPDATE faq_notices SET status = $1, reason = $2 WHERE draft_id = $3 AND conversation_id = $4', [status, reason, draftId, conversationId]);
  }

  async notices(draftId: number): Promise<FaqNotice[]> {
    const rows = await this.db.rows('SELECT * FROM faq_notices WHERE draft_id = $1 ORDER BY created_at, conversation_id', [draftId]);
    return rows.map(toNotice);
  }
}
