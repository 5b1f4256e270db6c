/** Shapes shared by the demand-topic modules: the messages grouped and the topics produced. */

/** One message to group: an unanswered question, a not-helpful answer, an escalation, or a historical hotline/mailbox message. */
export interface DemandMessage {
  text: string;
  time?: Date | undefined;
  channel?: string | undefined;
  /** Department named in the source (e.g. a hotline's handling unit), if any. */
  department?: string | undefined;
  /** Department where a person resolved the escalation of the message's conversation, if any. */
  resolvedDepartment?: string | undefined;
  /** Knowledge-base entries the bot considered, best first (see DemandRecord.candidates). */
  candidates?: ReadonlyArray<{ entryId: string; score: number }> | undefined;
  /** Who asked (the conversation): a topic's size counts distinct askers. Absent: each message is its own asker. */
  asker?: string | undefined;
  /** Messages this one stands for (repeats folded into it); default 1. */
  messages?: number | undefined;
}

/** The kind of message: a question, a complaint or request for help, or a suggestion. */
export type TopicKind = '咨询' | '投诉/求助' | '建言';

/** A group of messages about one need. */
export interface Topic {
  /** Stable id: kept across runs while the topic keeps its members. */
  id: string;
  label: string;
  keywords: string[];
  kind: TopicKind;
  /** Distinct askers (conversations) among the members; without askers, the number of members. */
  size: number;
  /** Messages the members stand for (repeats included). */
  messages: number;
  /** Indexes of the member messages in the input, ascending. */
  members: number[];
  /** 3-5 member texts closest to the topic's centre, personal data masked. */
  representatives: string[];
  firstSeen: Date | null;
  lastSeen: Date | null;
  channels: Array<{ channel: string; count: number }>;
  /** Likely departments, best first; `resolved`: members whose escalation a person resolved in that department. */
  departments: Array<{ department: string; share: number; resolved?: number }>;
  /** The language most members are written in (labels use its key words first). */
  lang: 'zh' | 'en';
  /** Distinct askers in the last 7 days before the reference time. */
  thisWeek: number;
  /** Average weekly askers in the (up to) 4 weeks before that. */
  previousWeeklyAverage: number;
  /** Smoothed ratio of this week to the previous weekly average. */
  growth: number;
}

/** What a run keeps so the next run (or `assign`) can recognise its topics. */
export interface TopicSnapshot {
  id: string;
  /** The topic's centre: its strongest terms with weights. */
  centroid: Array<[string, number]>;
  /** Hashes of the normalised member texts. */
  memberKeys: string[];
}

/** The saved result of a grouping run. */
export interface TopicState {
  version: 1;
  /** Distinct texts the run saw (for inverse document frequency of unseen terms). */
  documents: number;
  /** Inverse document frequency of the centroid terms. */
  idf: Record<string, number>;
  topics: TopicSnapshot[];
}
