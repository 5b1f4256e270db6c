/**
 * Rows to domain types, for both stores: the SQLite and PostgreSQL schemas share table and column names and store
 * values alike (times as ms numbers, JSON as text), but for booleans (SQLite 0/1, PostgreSQL true/false).
 * No SQL here: each store selects its rows in its own dialect, then maps them with these.
 */
import type { ConversationState } from '../core/conversation-state.ts';
import type { DemandReason } from '../core/engine.ts';
import type { Lang, Outcome, Reply } from '../core/message.ts';
import type { AwaitingMessage, ChannelAddress, ConversationRecord, DemandRecord, OutboxItem, OutboxStatus, StoredMessage } from '../core/ports.ts';
import type { CaseTimes, TopicStatusRow } from '../demand/ports.ts';
import type { TopicState } from '../demand/topic-types.ts';
import type { FaqDraft, FaqNotice, SessionScope, StaffSession, TotpState } from '../handoff/ports.ts';
import type { AuditEntry, Escalation, EscalationNote, EscalationState, StaffMember } from '../handoff/types.ts';

/** A row as the driver returns it, before it is mapped to a domain type. */
export type Row = Record<string, unknown>;

/** A nullable ms column as a Date (or null). */
export const date = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as number));

/** A boolean column as either store returns it: SQLite 1/0, PostgreSQL true/false. */
const flag = (value: unknown): boolean => value === true || value === 1;

export function toConversation(row: Row): ConversationRecord {
  return {
    id: row.id as string,
    channel: row.channel as string,
    senderId: row.sender_id as string,
    state: JSON.parse(row.state as string) as ConversationState,
    createdAt: new Date(row.created_at as number),
    updatedAt: new Date(row.updated_at as number),
  };
}

export function toStoredMessage(row: Row): StoredMessage {
  return {
    id: row.id as number,
    conversationId: row.conversation_id as string,
    channel: row.channel as string,
    direction: row.direction as 'in' | 'out',
    text: row.text as string,
    sealedText: (row.sealed_text as string | null) ?? undefined,
    outcome: (row.outcome as Outcome | null) ?? undefined,
    reply: row.reply ? (JSON.parse(row.reply as string) as Reply) : undefined,
    createdAt: new Date(row.created_at as number),
  };
}

/** A message row joined with its awaiting_answers time, selected as `acknowledged_at`. */
export function toAwaitingMessage(row: Row): AwaitingMessage {
  return {
    id: row.id as number,
    message: {
      channel: row.channel as string,
      conversationId: row.conversation_id as string,
      senderId: (row.sender_id as string | null) ?? '',
      text: row.text as string,
      time: new Date(row.created_at as number),
      ...(row.platform_message_id ? { platformMessageId: row.platform_message_id as string } : {}),
    },
    ...(row.sealed_text ? { sealedText: row.sealed_text as string } : {}),
    acknowledgedAt: new Date(row.acknowledged_at as number),
  };
}

/** A demand_signals row. */
export function toDemandRecord(row: Row): DemandRecord {
  return {
    id: row.id as number,
    conversationId: row.conversation_id as string,
    channel: row.channel as string,
    lang: row.lang as Lang,
    text: row.text as string,
    reason: row.reason as DemandReason,
    candidates: JSON.parse(row.candidates as string) as DemandRecord['candidates'],
    createdAt: new Date(row.created_at as number),
    ...(row.source_key ? { sourceKey: row.source_key as string } : {}),
  };
}

/** A channel_addresses row (its `channel` and `address` columns). */
export function toChannelAddress(row: Row): { channel: string; address: ChannelAddress } {
  return { channel: row.channel as string, address: JSON.parse(row.address as string) as ChannelAddress };
}

export function toEscalation(row: Row): Escalation {
  return {
    id: row.id as number,
    caseNumber: row.case_number as string,
    conversationId: row.conversation_id as string,
    channel: row.channel as string,
    department: row.department as string,
    state: row.state as EscalationState,
    trigger: row.trigger as Escalation['trigger'],
    assigneeId: (row.assignee_id as number | null) ?? null,
    question: row.question as string,
    candidates: JSON.parse(row.candidates as string) as Escalation['candidates'],
    createdAt: new Date(row.created_at as number),
    dueAt: new Date(row.due_at as number),
    firstResponseAt: date(row.first_response_at),
    resolvedAt: date(row.resolved_at),
    expiredAt: date(row.expired_at),
    rating: (row.rating as Escalation['rating']) ?? null,
    ratingComment: (row.rating_comment as string | null) ?? null,
    deliveryProblem: (row.delivery_problem as string | null) ?? null,
    followUpOpen: flag(row.follow_up_open),
  };
}

/** A department's oldest queued case, from a row of `department` and `MIN(created_at) AS oldest`. */
export function toOldestWaiting(row: Row): { department: string; since: Date } {
  return { department: row.department as string, since: new Date(row.oldest as number) };
}

export function toStaff(row: Row): StaffMember {
  return {
    id: row.id as number,
    name: row.name as string,
    displayName: row.display_name as string,
    role: row.role as StaffMember['role'],
    departments: JSON.parse(row.departments as string) as string[],
    active: flag(row.active),
  };
}

/** A staff row with what a login checks: the password hash and the login epoch. */
export function toStaffLogin(row: Row): StaffMember & { passwordHash: string; loginEpoch: number } {
  return { ...toStaff(row), passwordHash: row.password_hash as string, loginEpoch: row.login_epoch as number };
}

export function toSession(row: Row): StaffSession {
  return {
    id: row.id as string,
    staffId: row.staff_id as number,
    csrfToken: row.csrf_token as string,
    createdAt: new Date(row.created_at as number),
    lastSeenAt: new Date(row.last_seen_at as number),
    scope: row.scope as SessionScope,
  };
}

/** A staff_totp row. */
export function toTotpState(row: Row): TotpState {
  return {
    secret: (row.secret as string | null) ?? null,
    pendingSecret: (row.pending_secret as string | null) ?? null,
    enabledAt: date(row.enabled_at),
    lastStep: (row.last_step as number | null) ?? null,
    failures: row.failures as number,
    lockedUntil: date(row.locked_until),
  };
}

/** An escalation_notes row joined with its author's staff.display_name. */
export function toNote(row: Row): EscalationNote {
  return {
    id: row.id as number,
    escalationId: row.escalation_id as number,
    staffId: row.staff_id as number,
    staffName: row.display_name as string,
    text: row.text as string,
    createdAt: new Date(row.created_at as number),
  };
}

export function toAuditEntry(row: Row): AuditEntry {
  return {
    id: row.id as number,
    staffId: (row.staff_id as number | null) ?? null,
    action: row.action as string,
    target: row.target as string,
    detail: (row.detail as string | null) ?? null,
    createdAt: new Date(row.created_at as number),
  };
}

export function toOutbox(row: Row): OutboxItem {
  return {
    id: row.id as number,
    conversationId: row.conversation_id as string,
    channel: row.channel as string,
    replies: JSON.parse(row.replies as string) as Reply[],
    status: row.status as OutboxStatus,
    reason: (row.reason as string | null) ?? null,
    attempts: row.attempts as number,
    createdAt: new Date(row.created_at as number),
  };
}

/** A faq_drafts row. */
export function toDraft(row: Row): FaqDraft {
  return {
    id: row.id as number,
    escalationId: (row.escalation_id as number | null) ?? null,
    department: row.department as string,
    lang: row.lang as FaqDraft['lang'],
    title: row.title as string,
    questions: JSON.parse(row.questions as string) as string[],
    answer: row.answer as string,
    status: row.status as FaqDraft['status'],
    entryId: (row.entry_id as string | null) ?? null,
    createdBy: row.created_by as number,
    createdAt: new Date(row.created_at as number),
    topicId: (row.topic_id as string | null) ?? null,
    dueAt: date(row.due_at),
    submittedAt: date(row.submitted_at),
    submittedBy: (row.submitted_by as number | null) ?? null,
    updatedAt: date(row.updated_at),
    askedIn: JSON.parse((row.asked_in as string | null) ?? '[]') as string[],
  };
}

/** A faq_notices row. */
export function toNotice(row: Row): FaqNotice {
  return {
    draftId: row.draft_id as number,
    conversationId: row.conversation_id as string,
    channel: row.channel as string,
    status: row.status as FaqNotice['status'],
    reason: (row.reason as string | null) ?? null,
    createdAt: new Date(row.created_at as number),
  };
}

/** An escalations row's times (kept as ms), department and rating. */
export function toCaseTimes(row: Row): CaseTimes {
  return {
    department: row.department as string,
    createdAt: row.created_at as number,
    dueAt: row.due_at as number,
    firstResponseAt: (row.first_response_at as number | null) ?? null,
    resolvedAt: (row.resolved_at as number | null) ?? null,
    rating: (row.rating as CaseTimes['rating']) ?? null,
  };
}

/** A demand_topics row. */
export function toTopicStatusRow(row: Row): TopicStatusRow {
  return {
    id: row.id as string,
    status: row.status as TopicStatusRow['status'],
    reason: (row.reason as string | null) ?? null,
    label: (row.label as string | null) ?? null,
    draftId: (row.draft_id as number | null) ?? null,
    entryId: (row.entry_id as string | null) ?? null,
    updatedBy: (row.updated_by as number | null) ?? null,
    updatedAt: new Date(row.updated_at as number),
  };
}

/** The saved topic state (demand_topic_state.state): undefined when there is none or it does not parse. */
export function toTopicState(saved: string | undefined): TopicState | undefined {
  if (!saved) return undefined;
  try {
    return JSON.parse(saved) as TopicState;
  } catch {
    return undefined;
  }
}
