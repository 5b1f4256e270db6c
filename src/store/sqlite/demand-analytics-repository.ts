/** SQLite implementation of the demand analytics repository. */
import type Database from 'better-sqlite3';
import type {
  CaseTimes,
  DemandAnalyticsRepository,
  DemandChangeMarker,
  EntryCount,
  OutcomeCount,
  TopicStatusChange,
  TopicStatusRow,
} from '../../demand/ports.ts';
import type { TopicState } from '../../demand/topic-types.ts';
import { type Row, toCaseTimes, toTopicState, toTopicStatusRow } from '../rows.ts';
import { statement } from './statement-cache.ts';
import type { Synchronous } from './synchronous.ts';
import { LOCAL_DAY, TURNS } from './sql-fragments.ts';

export class SqliteDemandAnalytics implements Synchronous<DemandAnalyticsRepository> {
  constructor(private readonly db: Database.Database) {}

  retentionCutoff(): number | null {
    return statement(this.db, 'SELECT MAX(cutoff) FROM retention_runs').pluck().get() as number | null;
  }

  outcomeCounts(from: number, to: number, utcOffsetMs: number): OutcomeCount[] {
    return statement(
      this.db,
      `SELECT ${LOCAL_DAY} AS day, channel, outcome, ${TURNS} AS count
       FROM messages WHERE direction = 'out' AND outcome IS NOT NULL AND created_at >= ? AND created_at < ? GROUP BY 1, 2, 3`,
    ).all(Math.trunc(utcOffsetMs), from, to) as OutcomeCount[];
  }

  archivedOutcomeCounts(fromDay: string, toDay: string): OutcomeCount[] {
    return statement(
      this.db,
      `SELECT day, channel, substr(metric, 9) AS outcome, value AS count FROM daily_stats
       WHERE metric LIKE 'outcome\\_%' ESCAPE '\\' AND day >= ? AND day <= ?`,
    ).all(fromDay, toDay) as OutcomeCount[];
  }

  answersByEntry(from: number, to: number): EntryCount[] {
    return statement(
      this.db,
      `SELECT json_extract(reply, '$.entryId') AS entryId, ${TURNS} AS count FROM messages
       WHERE direction = 'out' AND outcome = 'answered' AND reply IS NOT NULL AND created_at >= ? AND created_at < ? GROUP BY 1`,
    ).all(from, to) as EntryCount[];
  }

  missesByFirstCandidate(from: number, to: number): EntryCount[] {
    return statement(
      this.db,
      `SELECT json_extract(candidates, '$[0].entryId') AS entryId, COUNT(*) AS count FROM demand_signals
       WHERE reason IN ('no_match', 'ambiguous') AND created_at >= ? AND created_at < ? GROUP BY 1`,
    ).all(from, to) as EntryCount[];
  }

  cases(from: number, to: number): CaseTimes[] {
    const rows = statement(
      this.db,
      'SELECT department, created_at, due_at, first_response_at, resolved_at, rating FROM escalations WHERE created_at >= ? AND created_at < ?',
    ).all(from, to) as Row[];
    return rows.map(toCaseTimes);
  }

  changeMarker(): DemandChangeMarker {
    const signals = statement(this.db, 'SELECT MAX(id) AS last, COUNT(*) AS n FROM demand_signals').get() as { last: number | null; n: number };
    const resolvedCases = statement(this.db, "SELECT COUNT(*) FROM escalations WHERE state = 'resolved'").pluck().get() as number;
    return { lastSignalId: signals.last, signals: signals.n, resolvedCases };
  }

  resolvedDepartments(): Map<string, string> {
    const rows = statement(this.db, "SELECT conversation_id, department FROM escalations WHERE state = 'resolved' ORDER BY resolved_at, id").all() as Array<{
      conversation_id: string;
      department: string;
    }>;
    return new Map(rows.map((r) => [r.conversation_id, r.department]));
  }

  topicState(): TopicState | undefined {
    const saved = statement(this.db, "SELECT state FROM demand_topic_state WHERE key = 'state'").pluck().get() as string | undefined;
    return toTopicState(saved);
  }

  saveTopicState(state: TopicState, at: Date): void {
    statement(
      this.db,
      `INSERT INTO demand_topic_state (key, state, updated_at) VALUES ('state', ?, ?)
       ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    ).run(JSON.stringify(state), at.getTime());
  }

  topicStatus(id: string): TopicStatusRow | undefined {
    const row = statement(this.db, 'SELECT * FROM demand_topics WHERE id = ?').get(id) as Row | undefined;
    return row ? toTopicStatusRow(row) : undefined;
  }

  setTopicStatus(id: string, change: TopicStatusChange, at: Date): void {
    statement(
      this.db,
      `INSERT INTO demand_topics (id, status, reason, label, draft_id, entry_id, updated_by, updated_at)
       VALUES (@id, @status, @reason, @label, @draftId, @entryId, @by, @at)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, reason = excluded.reason, label = COALESCE(excluded.label, label),
         draft_id = COALESCE(excluded.draft_id, draft_id), entry_id = COALESCE(excluded.entry_id, entry_id),
         updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    ).run({
      id,
      status: change.status,
      reason: change.reason ?? null,
      label: change.label ?? null,
      draftId: change.draftId ?? null,
      entryId: change.entryId ?? null,
      by: change.by,
      at: at.getTime(),
    });
  }
}
