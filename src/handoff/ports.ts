/** Repository interfaces of the human side (SQLite now, PostgreSQL later). */
import type { Candidate } from '../core/message.ts';
import type { AuditEntry, Escalation, EscalationNote, EscalationState, EscalationTrigger, Rating, StaffMember, StaffRole } from './types.ts';

export interface NewEscalation {
  conversationId: string;
  channel: string;
  department: string;
  trigger: EscalationTrigger;
  question: string;
  candidates: Candidate[];
  createdAt: Date;
  dueAt: Date;
  /** Local date of the case, YYYYMMDD, for its case number. */
  caseDay: string;
}

export interface EscalationFilter {
  states?: readonly EscalationState[];
  /** Only these departments' cases; undefined for all. */
  departments?: readonly string[];
  limit?: number;
}

export interface EscalationRepository {
  /** Opens a case; returns the already open case of the conversation instead when there is one. */
  open(input: NewEscalation): Promise<{ escalation: Escalation; created: boolean }>;
  get(id: number): Promise<Escalation | undefined>;
  findOpen(conversationId: string): Promise<Escalation | undefined>;
  /** The most recent case of a conversation, open or not. */
  latest(conversationId: string): Promise<Escalation | undefined>;
  /** Open cases, oldest first. */
  list(filter?: EscalationFilter): Promise<Escalation[]>;
  /** Moves a case to `to` only if it is in one of `from`: of two racing claims exactly one succeeds. */
  transition(id: number, from: readonly EscalationState[], to: EscalationState, patch?: EscalationPatch): Promise<boolean>;
  update(id: number, patch: EscalationPatch): Promise<void>;
  /** Cases that were never answered and whose expiry time has passed. */
  dueForExpiry(now: Date, expireAt: (e: Escalation) => Date): Promise<Escalation[]>;
  /** Open cases counted by department and state. */
  countOpen(): Promise<Array<{ department: string; state: EscalationState; count: number }>>;
  /** Open cases without a staff reply whose first-response target has passed at `now`, by department. */
  countOverdue(now: Date): Promise<Array<{ department: string; count: number }>>;
  /** When the oldest case waiting in each department's queue (see QUEUED_STATES) was opened. */
  oldestWaiting(): Promise<Array<{ department: string; since: Date }>>;
  /** Rated cases, newest first (for supervisors). */
  rated(limit?: number): Promise<Escalation[]>;
}

export interface EscalationPatch {
  department?: string;
  assigneeId?: number | null;
  dueAt?: Date;
  firstResponseAt?: Date;
  resolvedAt?: Date;
  expiredAt?: Date;
  rating?: Rating;
  ratingComment?: string | null;
  deliveryProblem?: string | null;
  followUpOpen?: boolean;
}

export interface NewStaff {
  name: string;
  displayName: string;
  role: StaffRole;
  departments: string[];
  passwordHash: string;
}

export interface StaffRepository {
  create(input: NewStaff): Promise<StaffMember>;
  get(id: number): Promise<StaffMember | undefined>;
  /** The account with what logging in needs: its password hash and its unlock epoch (see LoginThrottle). */
  findByName(name: string): Promise<(StaffMember & { passwordHash: string; loginEpoch: number }) | undefined>;
  list(): Promise<StaffMember[]>;
  update(id: number, patch: Partial<Pick<StaffMember, 'displayName' | 'role' | 'departments' | 'active'>> & { passwordHash?: string }): Promise<void>;
  /** Starts the account's login throttling afresh (a new epoch): the administrator's unlock. */
  unlockLogin(id: number): Promise<void>;
  count(): Promise<number>;
}

export interface StaffSession {
  /** SHA-256 of the cookie value; the value itself is never stored. */
  id: string;
  staffId: number;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** `enrol`: an account that must set up its second factor first may do only that (absent: `full`). */
  scope?: SessionScope;
}

export type SessionScope = 'full' | 'enrol';

export interface SessionRepository {
  create(session: StaffSession): Promise<void>;
  get(id: string): Promise<StaffSession | undefined>;
  touch(id: string, at: Date): Promise<void>;
  delete(id: string): Promise<void>;
  deleteForStaff(staffId: number): Promise<void>;
  /** Ends every session of the account but `keepId` (a password change keeps the changer's own). */
  deleteOthers(staffId: number, keepId: string): Promise<void>;
  setScope(id: string, scope: SessionScope): Promise<void>;
}

/** An account's TOTP state; secrets are sealed (AES-256-GCM, the data key). */
export interface TotpState {
  /** Set once enrolment is confirmed. */
  secret: string | null;
  /** Generated, shown, not yet confirmed with a code. */
  pendingSecret: string | null;
  enabledAt: Date | null;
  /** The last time step a code was accepted for: that code and older ones are refused (no replay). */
  lastStep: number | null;
  /** Wrong codes in a row, across logins. */
  failures: number;
  lockedUntil: Date | null;
}

export interface SecondFactorRepository {
  get(staffId: number): Promise<TotpState | undefined>;
  setPending(staffId: number, sealedSecret: string): Promise<void>;
  /** Makes the pending secret the account's and replaces its recovery codes (SHA-256 hashes). */
  enable(staffId: number, at: Date, step: number, recoveryCodeHashes: string[]): Promise<void>;
  acceptStep(staffId: number, step: number): Promise<void>;
  /** Stores the count of wrong codes in a row, and the lock they led to. */
  recordFailure(staffId: number, failures: number, lockedUntil: Date | null): Promise<void>;
  /** Marks a recovery code used; false when it is unknown or was used before. */
  useRecoveryCode(staffId: number, codeHash: string, at: Date): Promise<boolean>;
  unusedRecoveryCodes(staffId: number): Promise<number>;
  /** Removes the second factor and its recovery codes (an administrator's reset). */
  clear(staffId: number): Promise<void>;
}

export interface NoteRepository {
  add(escalationId: number, staffId: number, text: string, at: Date): Promise<EscalationNote>;
  list(escalationId: number): Promise<EscalationNote[]>;
}

export interface AuditRepository {
  record(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  list(limit?: number): Promise<AuditEntry[]>;
}

export interface FaqDraft {
  id: number;
  escalationId: number | null;
  /** The department the draft is assigned to (and the entry's department once published). */
  department: string;
  lang: 'zh' | 'en';
  title: string;
  questions: string[];
  /** May be empty while the department is still writing it; publishing needs one. */
  answer: string;
  status: 'draft' | 'published' | 'rejected';
  /** The knowledge-base entry id once published. */
  entryId: string | null;
  createdBy: number;
  createdAt: Date;
  /** The demand topic the draft was made from, if any. */
  topicId: string | null;
  /** When the department should have it ready; null for drafts saved from a case. */
  dueAt: Date | null;
  /** Set when the department submitted it for publication. */
  submittedAt: Date | null;
  submittedBy: number | null;
  updatedAt: Date | null;
  /** Conversations whose questions the draft answers (told when it is published, if staff choose). */
  askedIn: string[];
}

export type NewFaqDraft = Pick<FaqDraft, 'escalationId' | 'department' | 'lang' | 'title' | 'questions' | 'answer' | 'createdBy'> &
  Partial<Pick<FaqDraft, 'topicId' | 'dueAt' | 'askedIn'>>;

export type FaqDraftPatch = Partial<Pick<FaqDraft, 'department' | 'title' | 'questions' | 'answer' | 'dueAt'>>;

export interface FaqDraftFilter {
  status?: FaqDraft['status'];
  /** Only drafts assigned to these departments; undefined for all. */
  departments?: readonly string[];
}

/** One citizen told (or not) that a published draft now answers their question. */
export interface FaqNotice {
  draftId: number;
  conversationId: string;
  channel: string;
  /** `pending` between reserving and sending (a crash in between leaves it so, and it is not sent again). */
  status: 'pending' | 'sent' | 'skipped' | 'failed';
  reason: string | null;
  createdAt: Date;
}

/** Draft knowledge-base entries written by staff from real cases and demand topics, waiting for an administrator. */
export interface FaqDraftRepository {
  add(draft: NewFaqDraft, at: Date): Promise<FaqDraft>;
  get(id: number): Promise<FaqDraft | undefined>;
  /** Newest first; open drafts by due date when filtered to `draft`. */
  list(filter?: FaqDraft['status'] | FaqDraftFilter): Promise<FaqDraft[]>;
  /** Changes an open draft; false when it is no longer open. */
  update(id: number, patch: FaqDraftPatch, by: number, at: Date): Promise<boolean>;
  /** Marks an open draft submitted for publication (again, after a later edit); false when it is no longer open. */
  submit(id: number, by: number, at: Date): Promise<boolean>;
  decide(id: number, status: 'published' | 'rejected', by: number, at: Date, entryId?: string): Promise<boolean>;
  /** Reserves the notice of one conversation for one draft; false when it was already reserved (never twice). */
  reserveNotice(draftId: number, conversationId: string, channel: string, at: Date): Promise<boolean>;
  /** Records how the reserved notice went. */
  settleNotice(draftId: number, conversationId: string, status: Exclude<FaqNotice['status'], 'pending'>, reason: string | null): Promise<void>;
  notices(draftId: number): Promise<FaqNotice[]>;
}
