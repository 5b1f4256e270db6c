/** The human side: escalation cases, staff and their roles. */
import type { Candidate } from '../core/message.ts';

/**
 * `pending`: waiting in a department queue; `assigned`: a staff member holds it and the bot is silent;
 * `transferred`: waiting in the queue of the department it was passed to; `expired`: nobody replied in
 * time, the citizen was told, and it stays claimable; `resolved`: closed.
 */
export type EscalationState = 'pending' | 'assigned' | 'transferred' | 'expired' | 'resolved';

export const OPEN_STATES: readonly EscalationState[] = ['pending', 'assigned', 'transferred', 'expired'];
/** States in which a case waits in a department's queue (nobody holds it). */
export const QUEUED_STATES: readonly EscalationState[] = ['pending', 'transferred', 'expired'];

/** What started the case. */
export type EscalationTrigger = 'asked_for_human' | 'repeated_misses' | 'staff_opened';

/** The 好差评 rating every government service platform asks for. */
export type Rating = 'satisfied' | 'basically_satisfied' | 'dissatisfied';

export interface Escalation {
  id: number;
  /** What the citizen sees, e.g. HY-20261126-0007. */
  caseNumber: string;
  conversationId: string;
  channel: string;
  department: string;
  state: EscalationState;
  trigger: EscalationTrigger;
  assigneeId: number | null;
  /** The citizen's question that led here (masked). */
  question: string;
  /** What the bot understood: top knowledge-base candidates with scores. */
  candidates: Candidate[];
  createdAt: Date;
  /** First-response target (business time). */
  dueAt: Date;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  expiredAt: Date | null;
  rating: Rating | null;
  ratingComment: string | null;
  /** Set when a late message could not reach the citizen (e.g. WeChat's 48-hour window). */
  deliveryProblem: string | null;
  /** A dissatisfied rating opens a follow-up item for a supervisor until one closes it. */
  followUpOpen: boolean;
}

export type StaffRole = 'agent' | 'supervisor' | 'admin';

export interface StaffMember {
  id: number;
  /** Login name. */
  name: string;
  displayName: string;
  role: StaffRole;
  /** Departments whose queues an agent works; supervisors and admins see all. */
  departments: string[];
  active: boolean;
}

export interface EscalationNote {
  id: number;
  escalationId: number;
  staffId: number;
  staffName: string;
  text: string;
  createdAt: Date;
}

export interface AuditEntry {
  id: number;
  staffId: number | null;
  action: string;
  target: string;
  detail: string | null;
  createdAt: Date;
}
