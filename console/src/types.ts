/**
 * The shapes the staff API returns (see `/api/v1/openapi.json`); dates arrive as ISO strings. The value sets
 * (roles, case states, ratings, languages) are the server's own types, imported for their names only.
 */
import type { Lang } from '../../src/core/message.ts';
import type { EscalationState, EscalationTrigger, Rating, StaffRole } from '../../src/handoff/types.ts';
import type { Localized as LocalizedOf } from '../../src/knowledge/types.ts';

export type { Lang, Rating };
export type Role = StaffRole;
export type CaseState = EscalationState;
export type Localized = LocalizedOf<string>;

export interface Staff {
  id: number;
  name: string;
  displayName: string;
  role: Role;
  departments: string[];
  active: boolean;
}

export interface Candidate {
  entryId: string;
  score: number;
  title?: Localized;
}

export interface Case {
  id: number;
  caseNumber: string;
  conversationId: string;
  channel: string;
  department: string;
  state: CaseState;
  trigger: EscalationTrigger;
  assigneeId: number | null;
  assignee?: { id: number; displayName: string } | null;
  question: string;
  candidates: Candidate[];
  createdAt: string;
  dueAt: string;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  rating: Rating | null;
  ratingComment: string | null;
  deliveryProblem: string | null;
  followUpOpen: boolean;
  breached: boolean;
}

export interface Message {
  id: number | string;
  direction: 'in' | 'out';
  text: string;
  outcome?: string | null;
  staffName?: string;
  time: string;
}

export interface Note {
  id: number;
  staffName: string;
  text: string;
  createdAt: string;
}

export interface CaseDetail {
  escalation: Case;
  messages: Message[];
  notes: Note[];
}

export interface Department {
  id: string;
  name: Localized;
}

export interface CannedReply {
  title: string;
  text: Localized;
}

export interface KbEntry {
  id: string;
  department: string;
  title: Localized;
  answer: Localized;
}

export interface FaqDraft {
  id: number;
  escalationId: number | null;
  department: string;
  lang: Lang;
  title: string;
  questions: string[];
  answer: string;
  status: 'draft' | 'published' | 'rejected';
  entryId: string | null;
  createdBy: number;
  createdAt: string;
  topicId: string | null;
  dueAt: string | null;
  submittedAt: string | null;
  overdue: boolean;
  /** Conversations whose questions it answers. */
  askedBy: number;
}

/** How the citizens who asked were told about a published answer. */
export interface NoticeCounts {
  sent: number;
  skipped: number;
  failed: number;
  alreadyNotified: number;
}

export interface AuditEntry {
  id: number;
  staffId: number | null;
  action: string;
  target: string;
  detail: string | null;
  createdAt: string;
}

/** Frames of the live WebSocket. */
export type LiveFrame =
  | { type: 'hello'; staff: Staff }
  | { type: 'case'; escalation: Case }
  | { type: 'message'; escalationId: number; conversationId: string; direction: 'in' | 'out' | 'note'; text: string; staffName?: string; at: string };
