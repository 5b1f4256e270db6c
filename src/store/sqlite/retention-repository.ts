/** Retention on SQLite: figures into `daily_stats`, then old content anonymised or deleted, with `secure_delete` on. */
import type Database from 'better-sqlite3';
import { OPEN_STATES } from '../../handoff/types.ts';
import type { DailyStat, RetentionCounts, RetentionRepository } from '../../ops/ports.ts';
import { DELETED_TEXT, type RetentionMode } from '../../ops/retention.ts';
import { maskPersonalData } from '../../privacy/mask.ts';
import { placeholders } from './statement-cache.ts';
import type { Synchronous } from './synchronous.ts';
import { LOCAL_DAY, TURNS } from './sql-fragments.ts';

const DAY_MS = 86_400_000;

export class SqliteRetention implements Synchronous<RetentionRepository> {
  constructor(private readonly db: Database.Database) {}

  apply(pass: { cutoff: Date; mode: RetentionMode; utcOffsetMs: number; now: Date }): RetentionCounts {
    const db = this.db;
    const cutoff = pass.cutoff.getTime();
    const anonymise = pass.mode === 'anonymise';
    // Conversations with an open case keep everything: staff may still need the question and the address.
    const held = `SELECT conversation_id FROM escalations WHERE state IN (${placeholders(OPEN_STATES.length)})`;

    const secureBefore = db.pragma('secure_delete', { simple: true }) as number;
    db.pragma('secure_delete = ON');
    try {
      const report = db.transaction((): RetentionCounts => {
        // 1. Figures first: only rows not counted by an earlier run (created since its cut-off).
        const countedFrom = (db.prepare('SELECT MAX(cutoff) FROM retention_runs').pluck().get() as number | null) ?? 0;
        let statsRows = 0;
        if (cutoff > countedFrom) {
          const upsert = db.prepare(`
            INSERT INTO daily_stats (day, channel, metric, value) VALUES (?, ?, ?, ?)
            ON CONFLICT (day, channel, metric) DO UPDATE SET value = value + excluded.value`);
          const add = (rows: { day: string; channel: string; metric: string; n: number }[]): void => {
            for (const r of rows) {
              upsert.run(r.day, r.channel, r.metric, r.n);
              statsRows++;
            }
          };
          const range = [Math.trunc(pass.utcOffsetMs), countedFrom, cutoff];
          add(
            db
              .prepare(
                `SELECT ${LOCAL_DAY} AS day, channel, 'messages_in' AS metric, COUNT(*) AS n FROM messages
                 WHERE direction = 'in' AND created_at >= ? AND created_at < ? GROUP BY 1, 2`,
              )
              .all(...range) as never,
          );
          // One turn (answer) = the replies stored together for one conversation at one time.
          add(
            db
              .prepare(
                `SELECT ${LOCAL_DAY} AS day, channel, 'outcome_' || outcome AS metric, ${TURNS} AS n
                 FROM messages WHERE direction = 'out' AND outcome IS NOT NULL AND created_at >= ? AND created_at < ? GROUP BY 1, 2, 3`,
              )
              .all(...range) as never,
          );
          add(
            db
              .prepare(
                `SELECT ${LOCAL_DAY} AS day, channel, 'demand_' || reason AS metric, COUNT(*) AS n FROM demand_signals
                 WHERE created_at >= ? AND created_at < ? GROUP BY 1, 2, 3`,
              )
              .all(...range) as never,
          );
        }

        // 2. Messages.
        const messages = anonymise
          ? db
              .prepare(
                `UPDATE messages SET text = ?, reply = NULL, sender_id = NULL, sealed_text = NULL
                 WHERE created_at < ? AND conversation_id NOT IN (${held})
                   AND (text != ? OR reply IS NOT NULL OR sender_id IS NOT NULL OR sealed_text IS NOT NULL)`,
              )
              .run(DELETED_TEXT, cutoff, ...OPEN_STATES, DELETED_TEXT).changes
          : db.prepare(`DELETE FROM messages WHERE created_at < ? AND conversation_id NOT IN (${held})`).run(cutoff, ...OPEN_STATES).changes;

        // 3. Demand signals: masked again (with today's rules) or deleted.
        let demandSignals = 0;
        if (anonymise) {
          const update = db.prepare('UPDATE demand_signals SET text = ? WHERE id = ?');
          const rows = db
            .prepare(`SELECT id, text FROM demand_signals WHERE created_at < ? AND created_at >= ? AND conversation_id NOT IN (${held})`)
            .all(cutoff, Math.max(0, countedFrom - DAY_MS), ...OPEN_STATES) as { id: number; text: string }[];
          for (const r of rows) {
            const masked = maskPersonalData(r.text);
            if (masked !== r.text) demandSignals += update.run(masked, r.id).changes;
          }
          // The address hash only serves to count repeats within a day or so: it goes with the text.
          db.prepare('UPDATE demand_signals SET source_key = NULL WHERE created_at < ? AND source_key IS NOT NULL').run(cutoff);
        } else {
          demandSignals = db
            .prepare(`DELETE FROM demand_signals WHERE created_at < ? AND conversation_id NOT IN (${held})`)
            .run(cutoff, ...OPEN_STATES).changes;
        }

        // 4. Conversations idle since before the cut-off.
        const conversations = anonymise
          ? db
              .prepare(
                `UPDATE conversations SET sender_id = ?, state = '{"misses":0}'
                 WHERE updated_at < ? AND id NOT IN (${held}) AND (sender_id != ? OR state != '{"misses":0}')`,
              )
              .run(DELETED_TEXT, cutoff, ...OPEN_STATES, DELETED_TEXT).changes
          : db.prepare(`DELETE FROM conversations WHERE updated_at < ? AND id NOT IN (${held})`).run(cutoff, ...OPEN_STATES).changes;

        // 5. Where to reach a citizen (platform user ids) is personal data as well.
        const addresses = db
          .prepare(`DELETE FROM channel_addresses WHERE updated_at < ? AND conversation_id NOT IN (${held})`)
          .run(cutoff, ...OPEN_STATES).changes;

        // 6. Closed cases keep their figures (department, times, rating), not their words.
        const oldClosed = `SELECT id FROM escalations WHERE state = 'resolved' AND COALESCE(resolved_at, created_at) < ?`;
        const cases = db
          .prepare(
            `UPDATE escalations SET question = ?, rating_comment = NULL
             WHERE id IN (${oldClosed}) AND (question != ? OR rating_comment IS NOT NULL)`,
          )
          .run(DELETED_TEXT, cutoff, DELETED_TEXT).changes;
        const notes = anonymise
          ? db
              .prepare(`UPDATE escalation_notes SET text = ? WHERE escalation_id IN (${oldClosed}) AND created_at < ? AND text != ?`)
              .run(DELETED_TEXT, cutoff, cutoff, DELETED_TEXT).changes
          : db.prepare(`DELETE FROM escalation_notes WHERE escalation_id IN (${oldClosed}) AND created_at < ?`).run(cutoff, cutoff).changes;

        // 7. Replies already delivered (or given up on) hold message text too.
        const outbox = db.prepare(`DELETE FROM outbox WHERE status != 'pending' AND created_at < ?`).run(cutoff).changes;

        const counts: RetentionCounts = { statsRows, messages, demandSignals, conversations, addresses, cases, notes, outbox };
        db.prepare('INSERT INTO retention_runs (ran_at, cutoff, mode, counted_from, affected) VALUES (?, ?, ?, ?, ?)').run(
          pass.now.getTime(),
          Math.max(cutoff, countedFrom),
          pass.mode,
          countedFrom,
          JSON.stringify(counts),
        );
        return counts;
      })();
      // Old page images stay in the WAL until a checkpoint; copy them into the file (overwritten) and truncate it.
      db.pragma('wal_checkpoint(TRUNCATE)');
      return report;
    } finally {
      db.pragma(`secure_delete = ${secureBefore ? 'ON' : 'OFF'}`);
    }
  }

  dailyStats(since?: string): DailyStat[] {
    return this.db
      .prepare('SELECT day, channel, metric, value FROM daily_stats WHERE day >= ? ORDER BY day, channel, metric')
      .all(since ?? '0000-00-00') as DailyStat[];
  }
}
