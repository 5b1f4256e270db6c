/** Repository interface of the demand analytics: the dashboard figures and the topic state (SQLite now, PostgreSQL later). */
import type { Rating } from '../handoff/types.ts';
import type { TopicState } from './topic-types.ts';

/** Bot turns with one outcome on one local day (YYYY-MM-DD) and channel. */
export interface OutcomeCount {
  day: string;
  channel: string;
  outcome: string;
  count: number;
}

/** Rows counted per knowledge-base entry; `entryId` null when they name none. */
export interface EntryCount {
  entryId: string | null;
  count: number;
}

/** The times of one escalation as the dashboard measures them, in ms since the epoch. */
export interface CaseTimes {
  department: string;
  createdAt: number;
  dueAt: number;
  firstResponseAt: number | null;
  resolvedAt: number | null;
  rating: Rating | null;
}

/** What changes when a demand signal is logged or a case is resolved: a cached topic grouping is stale once it differs. */
export interface DemandChangeMarker {
  lastSignalId: number | null;
  signals: number;
  resolvedCases: number;
}

export type TopicStatus = 'open' | 'ignored' | 'drafted' | 'covered';

/** A topic's status as staff last set it. */
export interface TopicStatusRow {
  id: string;
  status: TopicStatus;
  reason: string | null;
  label: string | null;
  draftId: number | null;
  entryId: string | null;
  updatedBy: number | null;
  updatedAt: Date;
}

/** A status change; a label, draft or entry left out (or null) keeps the one set before, the reason is replaced. */
export interface TopicStatusChange {
  status: TopicStatus;
  reason?: string | null;
  label?: string | null;
  draftId?: number | null;
  entryId?: string | null;
  by: number;
}

/** Times (`from`, `to`) are ms since the epoch; periods include `from` and exclude `to`. */
export interface DemandAnalyticsRepository {
  /** The latest data-retention cut-off: earlier rows are counted only in the daily statistics. Null when retention never ran. */
  retentionCutoff(): Promise<number | null>;
  /** Bot turns of the period per local day, channel and outcome (a turn with several replies counts once). */
  outcomeCounts(from: number, to: number, utcOffsetMs: number): Promise<OutcomeCount[]>;
  /** Outcome counts kept in the daily statistics for the local days `fromDay` to `toDay` (YYYY-MM-DD), inclusive. */
  archivedOutcomeCounts(fromDay: string, toDay: string): Promise<OutcomeCount[]>;
  /** Answered bot turns of the period per knowledge-base entry used. */
  answersByEntry(from: number, to: number): Promise<EntryCount[]>;
  /** No-match and ambiguous demand signals of the period per best candidate entry. */
  missesByFirstCandidate(from: number, to: number): Promise<EntryCount[]>;
  /** Escalations opened in the period. */
  cases(from: number, to: number): Promise<CaseTimes[]>;
  changeMarker(): Promise<DemandChangeMarker>;
  /** The department of each conversation's latest resolved escalation, by conversation id. */
  resolvedDepartments(): Promise<Map<string, string>>;
  /** The saved topic grouping state; undefined when none was saved or it cannot be read. */
  topicState(): Promise<TopicState | undefined>;
  saveTopicState(state: TopicState, at: Date): Promise<void>;
  topicStatus(id: string): Promise<TopicStatusRow | undefined>;
  setTopicStatus(id: string, change: TopicStatusChange, at: Date): Promise<void>;
}
