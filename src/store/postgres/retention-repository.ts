/**
 * Retention on PostgreSQL: figures into `daily_stats`, then old content anonymised or deleted, in one transaction.
 * Unlike SQLite's `secure_delete`, PostgreSQL leaves the old row versions in the table files until VACUUM
 * reuses their space, and in the WAL and its archives until those are recycled.
 */
import { OPEN_STATES } from '../../handoff/types.ts';
import type { DailyStat, RetentionCounts, RetentionRepository } from '../../ops/ports.ts';
import { DELETED_TEXT, type RetentionMode } from '../../ops/retention.ts';
import { maskPersonalData } from '../../privacy/mask.ts';
import type { PgDatabase } from './database.ts';
import { localDay, TURNS } from './sql.ts';

const DAY_MS = 86_400_000;

/** Conversations with an open case (the open states bound as `states`): they keep everything. */
const held = (states: string): string => `SELECT conversation_id FROM escalations WHERE state = ANY(${states}::text[])`;

/** Cases resolved before the cut-off bound as `before`. */
const oldClosed = (before: string): string => `SELECT id FROM escalations WHERE state = 'resolved' AND COALESCE(resolved_at, created_at) < ${before}`;

export class PgRetention implements RetentionRepository {
  constructor(private readonly db: PgDatabase) {}

  apply(pass: { cutoff: Date; mode: RetentionMode; utcOffsetMs: number; now: Date }): Promise<RetentionCounts> {
    const db = this.db;
    const cutoff = pass.cutoff.getTime();
    const anonymise = pass.mode === 'anonymise';
    return db.write(async (): Promise<RetentionCounts> => {
      // 1. Figures first: only rows not counted by an earlier run (created since its cut-off).
      const countedFrom = (await db.row<{ cutoff: number | null }>('SELECT MAX(cutoff) AS cutoff FROM retention_runs'))!.cutoff ?? 0;
      let statsRows = 0;
      if (cutoff > countedFrom) {
        const range = [countedFrom, cutoff, Math.trunc(pass.utcOffsetMs)];
        const add = async (select: string): Promise<void> => {
          statsRows += await db.changes(
            `INSERT INTO daily_stats (day, channel, metric, value) ${select}
             ON CONFLICT (day, channel, metric) DO UPDATE SET value = daily_stats.value + excluded.value`,
            range,
          );
        };
        await add(
          `SELECT ${localDay('$3')}, channel, 'messages_in', COUNT(*) FROM messages
           WHERE direction = 'in' AND created_at >= $1 AND created_at < $2 GROUP BY 1, 2`,
        );
        // One turn (answer) = the replies stored together for one conversation at one time.
        await add(
          `SELECT ${localDay('$3')}, channel, 'outcome_' || outcome, ${TURNS}
           FROM messages WHERE direction = 'out' AND outcome IS NOT NULL AND created_at >= $1 AND created_at < $2 GROUP BY 1, 2, 3`,
        );
        await add(
          `SELECT ${localDay('$3')}, channel, 'demand_' || reason, COUNT(*) FROM demand_signals
           WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2, 3`,
        );
      }

      // 2. Messages.
      const messages = anonymise
        ? await db.changes(
            `UPDATE messages SET text = $1, reply = NULL, sender_id = NULL, sealed_text = NULL
             WHERE created_at < $2 AND conversation_id NOT IN (${held('$3')})
               AND (text <> $1 OR reply IS NOT NULL OR sender_id IS NOT NULL OR sealed_text IS NOT NULL)`,
            [DELETED_TEXT, cutoff, OPEN_STATES],
          )
        : await db.changes(`DELETE FROM messages WHERE created_at < $1 AND conversation_id NOT IN (${held('$2')})`, [cutoff, OPEN_STATES]);

      // 3. Demand signals: masked again (with today's rules) or deleted.
      let demandSignals = 0;
      if (anonymise) {
        const rows = await db.rows<{ id: number; text: string }>(
          `SELECT id, text FROM demand_signals WHERE created_at < $1 AND created_at >= $2 AND conversation_id NOT IN (${held('$3')})`,
          [cutoff, Math.max(0, countedFrom - DAY_MS), OPEN_STATES],
        );
        const changed = rows.flatMap((r) => {
          const masked = maskPersonalData(r.text);
          return masked === r.text ? [] : [{ id: r.id, text: masked }];
        });
        if (changed.length > 0) {
          demandSignals = await db.changes('UPDATE demand_signals d SET text = m.text FROM unnest($1::bigint[], $2::text[]) AS m (id, text) WHERE d.id = m.id', [
            changed.map((r) => r.id),
            changed.map((r) => r.text),
          ]);
        }
        // The address hash only serves to count repeats within a day or so: it goes with the text.
        await db.query('UPDATE demand_signals SET source_key = NULL WHERE created_at < $1 AND source_key IS NOT NULL', [cutoff]);
      } else {
        demandSignals = await db.changes(`DELETE FROM demand_signals WHERE created_at < $1 AND conversation_id NOT IN (${held('$2')})`, [cutoff, OPEN_STATES]);
      }

      // 4. Conversations idle since before the cut-off.
      const conversations = anonymise
        ? await db.changes(
            `UPDATE conversations SET sender_id = $1, state = '{"misses":0}'
             WHERE updated_at < $2 AND id NOT IN (${held('$3')}) AND (sender_id <> $1 OR state <> '{"misses":0}')`,
            [DELETED_TEXT, cutoff, OPEN_STATES],
          )
        : await db.changes(`DELETE FROM conversations WHERE updated_at < $1 AND id NOT IN (${held('$2')})`, [cutoff, OPEN_STATES]);

      // 5. Where to reach a citizen (platform user ids) is personal data as well.
      const addresses = await db.changes(`DELETE FROM channel_addresses WHERE updated_at < $1 AND conversation_id NOT IN (${held('$2')})`, [cutoff, OPEN_STATES]);

      // 6. Closed cases keep their figures (department, times, rating), not their words.
      const cases = await db.changes(
        `UPDATE escalations SET question = $1, rating_comment = NULL WHERE id IN (${oldClosed('$2')}) AND (question <> $1 OR rating_comment IS NOT NULL)`,
        [DELETED_TEXT, cutoff],
      );
      const notes = anonymise
        ? await db.changes(`UPDATE escalation_notes SET text = $1 WHERE escalation_id IN (${oldClosed('$2')}) AND created_at < $2 AND text <> $1`, [DELETED_TEXT, cutoff])
        : await db.changes(`DELETE FROM escalation_notes WHERE escalation_id IN (${oldClosed('$1')}) AND created_at < $1`, [cutoff]);

      // 7. Replies already delivered (or given up on) hold message text too.
      const outbox = await db.changes("DELETE FROM outbox WHERE status <> 'pending' AND created_at < $1", [cutoff]);

      const counts: RetentionCounts = { statsRows, messages, demandSignals, conversations, addresses, cases, notes, outbox };
      await db.query('INSERT INTO retention_runs (ran_at, cutoff, mode, counted_from, affected) VALUES ($1, $2, $3, $4, $5)', [
        pass.now.getTime(),
        Math.max(cutoff, countedFrom),
        pass.mode,
        countedFrom,
        JSON.stringify(counts),
      ]);
      return counts;
    });
  }

  dailyStats(since?: string): Promise<DailyStat[]> {
    return this.db.rows<DailyStat>('SELECT day, channel, metric, value FROM daily_stats WHERE day >= $1 ORDER BY day, channel, metric', [since ?? '0000-00-00']);
  }
}
