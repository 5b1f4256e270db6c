/**
 * Topics of the live demand log for the staff console: groups the signals of a period with `groupTopics`, keeps topic
 * ids stable across runs (the previous state is kept in memory and saved in the store), caches a result until new
 * signals arrive, and joins each topic with its status as staff set it (ignored, drafted, covered).
 */
import type { Store } from '../store/store.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import type { Asker } from './answer-notices.ts';
import { groupTopics } from './group-topics.ts';
import type { TopicStatus, TopicStatusChange, TopicStatusRow } from './ports.ts';
import { countSignals, type CountedSignal, type CountOptions, type Flood } from './signal-counting.ts';
import { TopicFeaturizer } from './topic-features.ts';
import type { Topic, TopicKind, TopicSnapshot, TopicState } from './topic-types.ts';

export const WEEK_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;
/** Topic snapshots kept in the saved state (newest first), so ids survive topics leaving and re-entering a window. */
const MAX_SNAPSHOTS = 2000;
/** A cached grouping is reused this long when no signal arrived. */
const CACHE_MS = 5 * 60_000;
const MAX_SIGNALS = 50_000;
/** How signals are counted unless the server is configured otherwise: repeats within 24 hours, floods of 10. */
export const DEFAULT_COUNTING: CountOptions = { windowMs: DAY_MS, floodMessages: 10 };

export interface TopicFilter {
  from?: Date | undefined;
  to?: Date | undefined;
  channel?: string | undefined;
}

/** A topic as the API returns it. */
export interface TopicView {
  id: string;
  label: string;
  keywords: string[];
  kind: TopicKind;
  /** Distinct conversations that asked. */
  size: number;
  /** Messages they sent about it (repeats included; floods never). */
  messages: number;
  firstSeen: string | null;
  lastSeen: string | null;
  channels: Array<{ channel: string; count: number }>;
  /** Likely departments: knowledge-base candidates and where people resolved escalations (`resolved` members). */
  departments: Array<{ department: string; share: number; resolved: number }>;
  /** The language most of its questions are in. */
  lang: 'zh' | 'en';
  /** The most likely department, or null when the bot had no idea. */
  department: string | null;
  representatives: string[];
  /** Conversations per week, the 8 weeks up to the end of the period, oldest first. */
  weekly: number[];
  thisWeek: number;
  growth: number;
  status: TopicStatus;
  reason: string | null;
  draftId: number | null;
  entryId: string | null;
}

/** A question of a topic as the API returns it. */
export interface TopicQuestion {
  id: number;
  text: string;
  channel: string;
  /** Its reasons joined by "+" (no_match+asked_for_human), for exports. */
  reason: string;
  reasons: string[];
  /** Messages it stands for: itself and its repeats within the window. */
  messages: number;
  createdAt: string;
}

/** A flood as the API returns it. */
export interface FloodView {
  source: Flood['source'];
  sourceId: string;
  channel: string;
  pattern: string;
  messages: number;
  conversations: number;
  first: string;
  last: string;
  texts: Array<{ id: number; text: string; createdAt: string }>;
}

/** The API's form of a flood. */
export function floodView(flood: Flood): FloodView {
  return {
    ...flood,
    first: flood.first.toISOString(),
    last: flood.last.toISOString(),
    texts: flood.texts.map((t) => ({ ...t, createdAt: t.createdAt.toISOString() })),
  };
}

export interface Grouping {
  from: Date;
  to: Date;
  /** The signals counted (floods left out, repeats folded), oldest first; topic members index them. */
  signals: CountedSignal[];
  /** Signals logged in the period (and channel), before counting. */
  received: number;
  /** Signals folded into an earlier one of the same conversation or address. */
  repeats: number;
  floods: Flood[];
  floodMessages: number;
  topics: Topic[];
  computedAt: Date;
}

export class DemandTopics {
  private readonly featurizer = new TopicFeaturizer();
  private previous: TopicState | undefined;
  /** Reads the saved grouping state once, before the first grouping. */
  private previousLoaded: Promise<void> | undefined;
  private readonly cache = new Map<string, { grouping: Grouping; marker: string; at: number }>();

  constructor(
    private readonly store: Store,
    private readonly departmentOf: (entryId: string) => string | undefined,
    private readonly now: () => Date = () => new Date(),
    private readonly counting: CountOptions = DEFAULT_COUNTING,
  ) {}

  /** The period asked for: `to` defaults to now, `from` to 30 days before `to`. */
  period(filter: TopicFilter): { from: Date; to: Date } {
    const to = filter.to ?? this.now();
    const from = filter.from ?? new Date(to.getTime() - 30 * DAY_MS);
    return { from, to };
  }

  /** Groups the signals of the period (cached until a signal arrives or 5 minutes pass). */
  async group(filter: TopicFilter): Promise<Grouping> {
    const key = JSON.stringify([filter.from?.getTime() ?? null, filter.to?.getTime() ?? null, filter.channel ?? null]);
    const marker = JSON.stringify(await this.store.demandAnalytics.changeMarker());
    const cached = this.cache.get(key);
    if (cached && cached.marker === marker && Date.now() - cached.at < CACHE_MS) return cached.grouping;
    const { from, to } = this.period(filter);
    this.previousLoaded ??= this.store.demandAnalytics.topicState().then((state) => {
      this.previous ??= state;
    });
    const [stored, resolvedIn] = await Promise.all([
      this.store.demand.list({ since: from, limit: MAX_SIGNALS }),
      this.store.demandAnalytics.resolvedDepartments(),
      this.previousLoaded,
    ]);
    const logged = stored.filter((s) => s.createdAt.getTime() <= to.getTime() && (!filter.channel || s.channel === filter.channel));
    const counted = countSignals(logged, this.counting);
    const { signals } = counted;
    const result = groupTopics(
      signals.map((s) => ({
        text: s.text,
        time: s.createdAt,
        channel: s.channel,
        candidates: s.candidates,
        resolvedDepartment: resolvedIn.get(s.conversationId),
        asker: s.conversationId,
        messages: s.messages,
      })),
      { previous: this.previous, departmentOf: this.departmentOf, featurizer: this.featurizer, now: to },
    );
    await this.remember(result.state);
    const grouping: Grouping = {
      from,
      to,
      signals,
      received: counted.received,
      repeats: counted.repeats,
      floods: counted.floods,
      floodMessages: counted.floodMessages,
      topics: result.topics,
      computedAt: this.now(),
    };
    if (this.cache.size > 50) this.cache.clear();
    this.cache.set(key, { grouping, marker, at: Date.now() });
    return grouping;
  }

  /** Keeps the new snapshots and the previous ones the run did not see, so ids stay stable across periods and filters. */
  private async remember(state: TopicState): Promise<void> {
    const seen = new Set(state.topics.map((t) => t.id));
    const kept: TopicSnapshot[] = [...state.topics, ...(this.previous?.topics ?? []).filter((t) => !seen.has(t.id))].slice(0, MAX_SNAPSHOTS);
    this.previous = { ...state, topics: kept };
    await this.store.demandAnalytics.saveTopicState(this.previous, new Date());
  }

  statusOf(id: string): Promise<TopicStatusRow | undefined> {
    return this.store.demandAnalytics.topicStatus(id);
  }

  setStatus(id: string, change: TopicStatusChange): Promise<void> {
    return this.store.demandAnalytics.setTopicStatus(id, change, this.now());
  }

  /** The effective status: a drafted topic is covered once its draft is published, open again if it was rejected. */
  async effectiveStatus(row: TopicStatusRow | undefined): Promise<TopicStatus> {
    if (!row) return 'open';
    if (row.status === 'drafted' && row.draftId !== null) {
      const draft = await this.store.faqDrafts.get(row.draftId);
      if (draft?.status === 'published') return 'covered';
      if (draft?.status === 'rejected') return 'open';
    }
    return row.status;
  }

  async view(topic: Topic, grouping: Grouping): Promise<TopicView> {
    const row = await this.statusOf(topic.id);
    const end = grouping.to.getTime();
    const weekly = Array.from({ length: 8 }, () => 0);
    const counted = new Set<string>();
    for (const i of topic.members) {
      const signal = grouping.signals[i];
      const t = signal?.createdAt.getTime();
      if (!signal || t === undefined || t > end) continue;
      const back = Math.floor((end - t) / WEEK_MS);
      const key = `${back}\u0000${signal.conversationId}`;
      if (back >= 8 || counted.has(key)) continue;
      counted.add(key);
      weekly[7 - back]!++;
    }
    return {
      id: topic.id,
      label: topic.label,
      keywords: topic.keywords,
      kind: topic.kind,
      size: topic.size,
      messages: topic.messages,
      firstSeen: topic.firstSeen?.toISOString() ?? null,
      lastSeen: topic.lastSeen?.toISOString() ?? null,
      channels: topic.channels,
      departments: topic.departments.map((d) => ({ ...d, resolved: d.resolved ?? 0 })),
      lang: topic.lang,
      department: topic.departments[0]?.department ?? null,
      representatives: topic.representatives.map(maskPersonalData),
      weekly,
      thisWeek: topic.thisWeek,
      growth: Math.round(topic.growth * 100) / 100,
      status: await this.effectiveStatus(row),
      reason: row?.reason ?? null,
      draftId: row?.draftId ?? null,
      entryId: row?.entryId ?? null,
    };
  }

  /** The member signals of a topic, masked, newest first; `reasons` all it was logged for, `messages` with its repeats. */
  questions(topic: Topic, grouping: Grouping): TopicQuestion[] {
    return topic.members
      .map((i) => grouping.signals[i]!)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
      .map((s) => ({
        id: s.id,
        text: maskPersonalData(s.text),
        channel: s.channel,
        reason: s.reasons.join('+'),
        reasons: s.reasons,
        messages: s.messages,
        createdAt: s.createdAt.toISOString(),
      }));
  }

  /** The entries the bot considered for the topic's messages: how often, best and mean score. */
  nearestEntries(topic: Topic, grouping: Grouping): Array<{ entryId: string; signals: number; bestScore: number; meanScore: number }> {
    const byEntry = new Map<string, { signals: number; best: number; sum: number }>();
    for (const i of topic.members) {
      for (const c of grouping.signals[i]?.candidates ?? []) {
        const agg = byEntry.get(c.entryId) ?? { signals: 0, best: 0, sum: 0 };
        agg.signals++;
        agg.best = Math.max(agg.best, c.score);
        agg.sum += c.score;
        byEntry.set(c.entryId, agg);
      }
    }
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return [...byEntry]
      .map(([entryId, a]) => ({ entryId, signals: a.signals, bestScore: round(a.best), meanScore: round(a.sum / a.signals) }))
      .sort((a, b) => b.signals - a.signals || b.bestScore - a.bestScore)
      .slice(0, 10);
  }

  /** The conversations the topic's questions came from, with the channel and language of each. */
  askers(topic: Topic, grouping: Grouping): Asker[] {
    return topic.members.map((i) => grouping.signals[i]!).map((s) => ({ conversationId: s.conversationId, channel: s.channel, lang: s.lang }));
  }

  /** Distinct masked member texts, earliest first: the variants an FAQ entry would start with. */
  variants(topic: Topic, grouping: Grouping, max = 20): string[] {
    const texts = topic.members
      .map((i) => grouping.signals[i]!.text)
      .map((t) => maskPersonalData(t).trim().slice(0, 500))
      .filter((t) => t.length > 0);
    return [...new Set(texts)].slice(0, max);
  }
}
