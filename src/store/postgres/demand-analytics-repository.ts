/** PostgreSQL implementation of the demand analytics repository. */
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
import { toCaseTimes, toTopicState, toTopicStatusRow } from '../rows.ts';
import type { PgDatabase } from './database.ts';
import { localDay, TURNS } from './sql.ts';

export class PgDemandAnalytics implements DemandAnalyticsRepository {
  constructor(private readonly db: PgDatabase) {}

  async retentionCutoff(): Promise<number | null> {
    return (await this.db.row<{ cutoff: number | null }>('SELECT MAX(cutoff) AS cutoff FROM retention_runs'))!.cutoff;
  }

  outcomeCounts(from: number, to: number, utcOffsetMs: number): Promise<OutcomeCount[]> {
    return this.db.rows<OutcomeCount>(
      `SELECT ${localDay('$1')} AS day, channel, outcome, ${TURNS} AS count
       FROM messages WHERE direction = 'out' AND outcome IS NOT NULL AND created_at >= $2 AND created_at < $3 GROUP BY 1, 2, 3`,
      [Math.trunc(utcOffsetMs), from, to],
    );
  }

  archivedOutcomeCounts(fromDay: string, toDay: string): Promise<OutcomeCount[]> {
    return this.db.rows<OutcomeCount>(
      `SELECT day, channel, substr(metric, 9) AS outcome, value AS count FROM daily_stats
       WHERE metric LIKE 'outcome\\_%' ESCAPE '\\' AND day >= $1 AND day <= $2`,
      [fromDay, toDay],
    );
  }

  answersByEntry(from: number, to: number): Promise<EntryCount[]> {
    return this.db.rows<EntryCount>(
      `SELECT reply::jsonb ->> 'entryId' AS "entryId", ${TURNS} AS count FROM messages
       WHERE direction = 'out' AND outcome = 'answered' AND reply IS NOT NULL AND created_at >= $1 AND created_at < $2 GROUP BY 1`,
      [from, to],
    );
  }

  missesByFirstCandidate(from: number, to: number): Promise<EntryCount[]> {
    return this.db.rows<EntryCount>(
      `SELECT candidates::jsonb -> 0 ->> 'entryId' AS "entryId", COUNT(*) AS count FROM demand_signals
       WHERE reason IN ('no_match', 'ambiguous') AND created_at >= $1 AND created_at < $2 GROUP BY 1`,
      [from, to],
    );
  }

  async cases(from: number, to: number): Promise<CaseTimes[]> {
    const rows = await this.db.rows(
      'SELECT department, created_at, due_at, first_response_at, resolved_at, rating FROM escalations WHERE created_at >= $1 AND created_at < $2',
      [from, to],
    );
    return rows.map(toCaseTimes);
  }

  async changeMarker(): Promise<DemandChangeMarker> {
    const row = await this.db.row<{ last: number | null; signals: number; resolved: number }>(
      `SELECT (SELECT MAX(id) FROM demand_signals) AS last, (SELECT COUNT(*) FROM demand_signals) AS signals,
              (SELECT COUNT(*) FROM escalations WHERE state = 'resolved') AS resolved`,
    );
    return { lastSignalId: row!.last, signals: row!.signals, resolvedCases: row!.resolved };
  }

  async resolvedDepartments(): Promise<Map<string, string>> {
    // NULLS FIRST: SQLite sorts nulls first; the latest resolved case of a conversation comes last and wins.
    const rows = await this.db.rows<{ conversation_id: string; department: string }>(
      "SELECT conversation_id, department FROM escalations WHERE state = 'resolved' ORDER BY resolved_at NULLS FIRST, id",
    );
    return new Map(rows.map((r) => [r.conversation_id, r.department]));
  }

  async topicState(): Promise<TopicState | undefined> {
    const saved = (await this.db.row<{ state: string }>("SELECT state FROM demand_topic_state WHERE key = 'state'"))?.state;
    return toTopicState(saved);
  }

  async saveTopicState(state: TopicState, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO demand_topic_state (key, state, updated_at) VALUES ('state', $1, $2)
       ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      [JSON.stringify(state), at.getTime()],
    );
  }

  async topicStatus(id: string): Promise<TopicStatusRow | undefined> {
    const row = await this.db.row('SELECT * FROM demand_topics WHERE id = $1', [id]);
    return row ? toTopicStatusRow(row) : undefined;
  }

  async setTopicStatus(id: string, change: TopicStatusChange, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO demand_topics (id, status, reason, label, draft_id, entry_id, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, reason = excluded.reason, label = COALESCE(excluded.label, demand_topics.label),
         draft_id = COALESCE(excluded.draft_id, demand_topics.draft_id), entry_id = COALESCE(excluded.entry_id, demand_topics.entry_id),
         updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      [id, change.status, change.reason ?? null, change.label ?? null, change.draftId ?? null, change.entryId ?? null, change.by, at.getTime()],
    );
  }
}
