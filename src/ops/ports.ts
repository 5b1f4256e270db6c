/** Storage ports of operations: what retention needs from the database (SQLite now, PostgreSQL later). */
import type { RetentionMode } from './retention.ts';

/** What one retention pass changed, by kind of row. */
export interface RetentionCounts {
  /** `daily_stats` rows added to or updated. */
  statsRows: number;
  messages: number;
  demandSignals: number;
  conversations: number;
  addresses: number;
  cases: number;
  notes: number;
  outbox: number;
}

/** One figure of one local day and channel, kept by retention (`messages_in`, `outcome_answered`, `demand_no_match`, ...). */
export interface DailyStat {
  day: string;
  channel: string;
  metric: string;
  value: number;
}

export interface RetentionRepository {
  /**
   * In one transaction: adds the figures of rows created before `cutoff` (and not counted by an earlier pass)
   * to the daily figures by local day (`utcOffsetMs`), then anonymises or deletes what citizens wrote before it
   * (see src/ops/retention.ts), leaves conversations with an open case alone, records the pass, and makes sure
   * the removed content is not left readable on disk.
   */
  apply(pass: { cutoff: Date; mode: RetentionMode; utcOffsetMs: number; now: Date }): Promise<RetentionCounts>;
  /** The daily figures from local day `since` (YYYY-MM-DD) on, oldest first. */
  dailyStats(since?: string): Promise<DailyStat[]>;
}
