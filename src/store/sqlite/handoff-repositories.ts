/** SQLite implementations of the human-side repositories. */
import type Database from 'better-sqlite3';
import type { Reply } from '../../core/message.ts';
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
import type { OutboxItem, OutboxRepository, OutboxStatus } from '../../core/ports.ts';
import type { AuditEntry, Escalation, EscalationNote, EscalationState, StaffMember } from '../../handoff/types.ts';
import { OPEN_STATES, QUEUED_STATES } from '../../handoff/types.ts';
import { type Row, toAuditEntry, toDraft, toEscalation, toNote, toNotice, toOldestWaiting, toOutbox, toSession, toStaff, toStaffLogin } from '../rows.ts';
import { placeholders, statement } from './statement-cache.ts';
import type { Synchronous } from './synchronous.ts';

type Db = Database.Database;

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

function patchSql(patch: EscalationPatch): { sets: string[]; values: unknown[] } {
  const sets: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(patch) as Array<[keyof EscalationPatch, unknown]>) {
    if (value === undefined) continue;
    sets.push(`${PATCH_COLUMNS[key]} = ?`);
    values.push(value instanceof Date ? value.getTime() : typeof value === 'boolean' ? Number(value) : value);
  }
  return { sets, values };
}

export class SqliteEscalations implements Synchronous<EscalationRepository> {
  constructor(private readonly db: Db) {}

  open(input: NewEscalation): { escalation: Escalation; created: boolean } {
    return this.db.transaction(() => {
      const existing = this.findOpen(input.conversationId);
      if (existing) return { escalation: existing, created: false };
      const seq = statement(
        this.db,
        'INSERT INTO case_counters (day, last) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last',
      )
        .pluck()
        .get(input.caseDay) as number;
      const caseNumber = `HY-${input.caseDay}-${String(seq).padStart(4, '0')}`;
      const info = statement(
        this.db,
        `INSERT INTO escalations (case_number, conversation_id, channel, department, state, trigger, question, candidates, created_at, due_at)
         VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
      ).run(caseNumber, input.conversationId, input.channel, input.department, input.trigger, input.question, JSON.stringify(input.candidates), input.createdAt.getTime(), input.dueAt.getTime());
      return { escalation: this.get(Number(info.lastInsertRowid))!, created: true };
    })();
  }

  get(id: number): Escalation | undefined {
    const row = statement(this.db, 'SELECT * FROM escalations WHERE id = ?').get(id) as Row | undefined;
    return row ? toEscalation(row) : undefined;
  }

  findOpen(conversationId: string): Escalation | undefined {
    // The states written out, as in the partial index escalations_one_open: with bound parameters SQLite cannot use it and scans the table.
    const row = statement(this.db, `SELECT * FROM escalations WHERE conversation_id = ? AND state IN (${OPEN_STATES.map((s) => `'${s}'`).join(', ')})`).get(
      conversationId,
    ) as Row | undefined;
    return row ? toEscalation(row) : undefined;
  }

  latest(conversationId: string): Escalation | undefined {
    const row = statement(this.db, 'SELECT * FROM escalations WHERE conversation_id = ? ORDER BY id DESC LIMIT 1').get(conversationId) as Row | undefined;
    return row ? toEscalation(row) : undefined;
  }

  list(filter: EscalationFilter = {}): Escalation[] {
    const states = filter.states ?? OPEN_STATES;
    const where = [`state IN (${placeholders(states.length)})`];
    const values: unknown[] = [...states];
    if (filter.departments) {
      if (filter.departments.length === 0) return [];
      where.push(`department IN (${placeholders(filter.departments.length)})`);
      values.push(...filter.departments);
    }
    values.push(filter.limit ?? 500);
    const rows = statement(this.db, `SELECT * FROM escalations WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT ?`).all(...values) as Row[];
    return rows.map(toEscalation);
  }

  transition(id: number, from: readonly EscalationState[], to: EscalationState, patch: EscalationPatch = {}): boolean {
    const { sets, values } = patchSql(patch);
    const info = statement(this.db, `UPDATE escalations SET ${['state = ?', ...sets].join(', ')} WHERE id = ? AND state IN (${placeholders(from.length)})`)
      .run(to, ...values, id, ...from);
    return info.changes === 1;
  }

  update(id: number, patch: EscalationPatch): void {
    const { sets, values } = patchSql(patch);
    if (sets.length === 0) return;
    statement(this.db, `UPDATE escalations SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
  }

  dueForExpiry(now: Date, expireAt: (e: Escalation) => Date): Escalation[] {
    return this.list({ states: ['pending', 'transferred'] }).filter((e) => e.firstResponseAt === null && expireAt(e) <= now);
  }

  countOpen(): Array<{ department: string; state: EscalationState; count: number }> {
    return statement(this.db, `SELECT department, state, COUNT(*) AS count FROM escalations WHERE state IN (${placeholders(OPEN_STATES.length)}) GROUP BY department, state`).all(
      ...OPEN_STATES,
    ) as Array<{ department: string; state: EscalationState; count: number }>;
  }

  countOverdue(now: Date): Array<{ department: string; count: number }> {
    return statement(
      this.db,
      `SELECT department, COUNT(*) AS count FROM escalations
       WHERE state IN (${placeholders(OPEN_STATES.length)}) AND first_response_at IS NULL AND due_at < ? GROUP BY department`,
    ).all(...OPEN_STATES, now.getTime()) as Array<{ department: string; count: number }>;
  }

  oldestWaiting(): Array<{ department: string; since: Date }> {
    const rows = statement(this.db, `SELECT department, MIN(created_at) AS oldest FROM escalations WHERE state IN (${placeholders(QUEUED_STATES.length)}) GROUP BY department`).all(
      ...QUEUED_STATES,
    ) as Row[];
    return rows.map(toOldestWaiting);
  }

  rated(limit = 200): Escalation[] {
    const rows = statement(this.db, 'SELECT * FROM escalations WHERE rating IS NOT NULL ORDER BY resolved_at DESC LIMIT ?').all(limit) as Row[];
    return rows.map(toEscalation);
  }
}

export class SqliteStaff implements Synchronous<StaffRepository> {
  constructor(private readonly db: Db) {}

  create(input: NewStaff): StaffMember {
    const info = statement(this.db, 'INSERT INTO staff (name, display_name, role, departments, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(input.name, input.displayName, input.role, JSON.stringify(input.departments), input.passwordHash, Date.now());
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): StaffMember | undefined {
    const row = statement(this.db, 'SELECT * FROM staff WHERE id = ?').get(id) as Row | undefined;
    return row ? toStaff(row) : undefined;
  }

  findByName(name: string): (StaffMember & { passwordHash: string; loginEpoch: number }) | undefined {
    const row = statement(this.db, 'SELECT * FROM staff WHERE name = ?').get(name) as Row | undefined;
    return row ? toStaffLogin(row) : undefined;
  }

  list(): StaffMember[] {
    return (statement(this.db, 'SELECT * FROM staff ORDER BY name').all() as Row[]).map(toStaff);
  }

  update(id: number, patch: Partial<Pick<StaffMember, 'displayName' | 'role' | 'departments' | 'active'>> & { passwordHash?: string }): void {
    const columns: Record<string, unknown> = {
      display_name: patch.displayName,
      role: patch.role,
      departments: patch.departments ? JSON.stringify(patch.departments) : undefined,
      active: patch.active === undefined ? undefined : Number(patch.active),
      password_hash: patch.passwordHash,
    };
    const entries = Object.entries(columns).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    statement(this.db, `UPDATE staff SET ${entries.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`).run(...entries.map(([, v]) => v), id);
  }

  unlockLogin(id: number): void {
    statement(this.db, 'UPDATE staff SET login_epoch = login_epoch + 1 WHERE id = ?').run(id);
  }

  count(): number {
    return statement(this.db, 'SELECT COUNT(*) FROM staff').pluck().get() as number;
  }
}

export class SqliteSessions implements Synchronous<SessionRepository> {
  constructor(private readonly db: Db) {}

  create(s: StaffSession): void {
    statement(this.db, 'INSERT INTO staff_sessions (id, staff_id, csrf_token, created_at, last_seen_at, scope) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.id, s.staffId, s.csrfToken, s.createdAt.getTime(), s.lastSeenAt.getTime(), s.scope ?? 'full');
  }

  get(id: string): StaffSession | undefined {
    const row = statement(this.db, 'SELECT * FROM staff_sessions WHERE id = ?').get(id) as Row | undefined;
    return row ? toSession(row) : undefined;
  }

  touch(id: string, at: Date): void {
    statement(this.db, 'UPDATE staff_sessions SET last_seen_at = ? WHERE id = ?').run(at.getTime(), id);
  }

  delete(id: string): void {
    statement(this.db, 'DELETE FROM staff_sessions WHERE id = ?').run(id);
  }

  deleteForStaff(staffId: number): void {
    statement(this.db, 'DELETE FROM staff_sessions WHERE staff_id = ?').run(staffId);
  }

  deleteOthers(staffId: number, keepId: string): void {
    statement(this.db, 'DELETE FROM staff_sessions WHERE staff_id = ? AND id <> ?').run(staffId, keepId);
  }

  setScope(id: string, scope: SessionScope): void {
    statement(this.db, 'UPDATE staff_sessions SET scope = ? WHERE id = ?').run(scope, id);
  }
}

export class SqliteNotes implements Synchronous<NoteRepository> {
  constructor(private readonly db: Db) {}

  add(escalationId: number, staffId: number, text: string, at: Date): EscalationNote {
    const info = statement(this.db, 'INSERT INTO escalation_notes (escalation_id, staff_id, text, created_at) VALUES (?, ?, ?, ?)').run(escalationId, staffId, text, at.getTime());
    return this.list(escalationId).find((n) => n.id === Number(info.lastInsertRowid))!;
  }

  list(escalationId: number): EscalationNote[] {
    const rows = statement(this.db, 'SELECT n.*, s.display_name FROM escalation_notes n JOIN staff s ON s.id = n.staff_id WHERE escalation_id = ? ORDER BY n.id')
      .all(escalationId) as Row[];
    return rows.map(toNote);
  }
}

export class SqliteAudit implements Synchronous<AuditRepository> {
  constructor(private readonly db: Db) {}

  record(e: Omit<AuditEntry, 'id'>): void {
    statement(this.db, 'INSERT INTO audit_log (staff_id, action, target, detail, created_at) VALUES (?, ?, ?, ?, ?)').run(e.staffId, e.action, e.target, e.detail, e.createdAt.getTime());
  }

  list(limit = 200): AuditEntry[] {
    const rows = statement(this.db, 'SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit) as Row[];
    return rows.map(toAuditEntry);
  }
}

export class SqliteOutbox implements Synchronous<OutboxRepository> {
  constructor(private readonly db: Db) {}

  add(conversationId: string, channel: string, replies: readonly Reply[], at: Date): number {
    const info = statement(this.db, "INSERT INTO outbox (conversation_id, channel, replies, status, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)")
      .run(conversationId, channel, JSON.stringify(replies), at.getTime(), at.getTime());
    return Number(info.lastInsertRowid);
  }

  mark(id: number, status: OutboxStatus, reason: string | null = null): void {
    statement(this.db, 'UPDATE outbox SET status = ?, reason = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?').run(status, reason, Date.now(), id);
  }

  pending(): OutboxItem[] {
    return (statement(this.db, "SELECT * FROM outbox WHERE status = 'pending' ORDER BY id").all() as Row[]).map(toOutbox);
  }

  forConversation(conversationId: string): OutboxItem[] {
    return (statement(this.db, 'SELECT * FROM outbox WHERE conversation_id = ? ORDER BY id').all(conversationId) as Row[]).map(toOutbox);
  }
}

const DRAFT_COLUMNS: Record<keyof FaqDraftPatch, string> = { department: 'department', title: 'title', questions: 'questions', answer: 'answer', dueAt: 'due_at' };

export class SqliteFaqDrafts implements Synchronous<FaqDraftRepository> {
  constructor(private readonly db: Db) {}

  add(d: NewFaqDraft, at: Date): FaqDraft {
    const info = statement(this.db, 
        `INSERT INTO faq_drafts (escalation_id, department, lang, title, questions, answer, status, created_by, created_at, topic_id, due_at, asked_in)
         VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)`,
      )
      .run(
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
      );
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): FaqDraft | undefined {
    const row = statement(this.db, 'SELECT * FROM faq_drafts WHERE id = ?').get(id) as Row | undefined;
    return row ? toDraft(row) : undefined;
  }

  list(filter: FaqDraft['status'] | FaqDraftFilter = {}): FaqDraft[] {
    const { status, departments } = typeof filter === 'string' ? { status: filter, departments: undefined } : filter;
    const where: string[] = [];
    const values: unknown[] = [];
    if (status) {
      where.push('status = ?');
      values.push(status);
    }
    if (departments) {
      if (departments.length === 0) return [];
      where.push(`department IN (${placeholders(departments.length)})`);
      values.push(...departments);
    }
    const order = status === 'draft' ? 'due_at IS NULL, due_at, id' : 'id DESC';
    const rows = statement(this.db, `SELECT * FROM faq_drafts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}`).all(...values) as Row[];
    return rows.map(toDraft);
  }

  update(id: number, patch: FaqDraftPatch, by: number, at: Date): boolean {
    const sets: string[] = ['updated_at = ?', 'updated_by = ?'];
    const values: unknown[] = [at.getTime(), by];
    for (const [key, value] of Object.entries(patch) as Array<[keyof FaqDraftPatch, unknown]>) {
      if (value === undefined) continue;
      sets.push(`${DRAFT_COLUMNS[key]} = ?`);
      values.push(value instanceof Date ? value.getTime() : Array.isArray(value) ? JSON.stringify(value) : value);
    }
    const info = statement(this.db, `UPDATE faq_drafts SET ${sets.join(', ')} WHERE id = ? AND status = 'draft'`).run(...values, id);
    return info.changes === 1;
  }

  submit(id: number, by: number, at: Date): boolean {
    const info = statement(this.db, "UPDATE faq_drafts SET submitted_at = ?, submitted_by = ? WHERE id = ? AND status = 'draft'").run(at.getTime(), by, id);
    return info.changes === 1;
  }

  decide(id: number, status: 'published' | 'rejected', by: number, at: Date, entryId?: string): boolean {
    const info = statement(this.db, "UPDATE faq_drafts SET status = ?, decided_by = ?, decided_at = ?, entry_id = ? WHERE id = ? AND status = 'draft'")
      .run(status, by, at.getTime(), entryId ?? null, id);
    return info.changes === 1;
  }

  reserveNotice(draftId: number, conversationId: string, channel: string, at: Date): boolean {
    const info = statement(this.db, "INSERT OR IGNORE INTO faq_notices (draft_id, conversation_id, channel, status, created_at) VALUES (?, ?, ?, 'pending', ?)")
      .run(draftId, conversationId, channel, at.getTime());
    return info.changes === 1;
  }

  settleNotice(draftId: number, conversationId: string, status: Exclude<FaqNotice['status'], 'pending'>, reason: string | null): void {
    statement(this.db, 'UPDATE faq_notices SET status = ?, reason = ? WHERE draft_id = ? AND conversation_id = ?').run(status, reason, draftId, conversationId);
  }

  notices(draftId: number): FaqNotice[] {
    const rows = statement(this.db, 'SELECT * FROM faq_notices WHERE draft_id = ? ORDER BY created_at, conversation_id').all(draftId) as Row[];
    return rows.map(toNotice);
  }
}
