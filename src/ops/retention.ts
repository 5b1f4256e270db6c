/**
 * Data retention: after RETENTION_DAYS, what citizens wrote is anonymised or deleted, while the figures
 * (messages, answers by outcome, demand signals by reason, per day and channel) are first added to
 * `daily_stats`, so reports over old periods keep working.
 *
 * - `anonymise`: message text becomes "[deleted]" (sealed originals, sender ids and stored replies go too),
 *   demand signals keep only their masked text, conversations lose their sender id and state.
 * - `delete`: those rows are removed.
 * In both modes channel addresses, delivered outbox items, and the question, rating comment and notes of
 * closed cases older than the cut-off are cleared. Conversations with an open case are left alone until the
 * case closes. Deleted content is overwritten on disk (`secure_delete`) and the WAL is checkpointed.
 */
import type Database from 'better-sqlite3';
import type { Logger } from '../logger.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { OPEN_STATES } from '../handoff/types.ts';

export type RetentionMode = 'anonymise' | 'delete';

export const DELETED_TEXT = '[deleted]';
const DAY_MS = 86_400_000;

export interface RetentionOptions {
  days: number;
  mode: RetentionMode;
  now?: Date;
  /** Offset of the local day used for `daily_stats` (default UTC+8). */
  utcOffsetMs?: number;
}

export interface RetentionReport {
  /** False when RETENTION_DAYS is 0 (keep everything). */
  ran: boolean;
  mode: RetentionMode;
  cutoff: Date | null;
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

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** The UTC offset of the service's local time, from service hours (whose `formatLocal` shows local wall-clock time). */
export function utcOffsetOf(hours: { formatLocal(at: Date): string }): number {
  const local = Date.parse(`${hours.formatLocal(new Date(0)).replace(' ', 'T')}:00Z`);
  return Number.isFinite(local) ? local : 8 * 3_600_000;
}

function hasColumn(db: Database.Database, table: string, column: string): boolean {
  return (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).includes(column);
}

export function runRetention(db: Database.Database, options: RetentionOptions): RetentionReport {
  const empty: RetentionReport = {
    ran: false,
    mode: options.mode,
    cutoff: null,
    statsRows: 0,
    messages: 0,
    demandSignals: 0,
    conversations: 0,
    addresses: 0,
    cases: 0,
    notes: 0,
    outbox: 0,
  };
  if (!Number.isFinite(options.days) || options.days <= 0) return empty;
  const now = options.now ?? new Date();
  const cutoff = now.getTime() - options.days * DAY_MS;
  const offset = options.utcOffsetMs ?? 8 * 3_600_000;
  const anonymise = options.mode === 'anonymise';
  const sealed = hasColumn(db, 'messages', 'sealed_text');
  // Conversations with an open case keep everything: staff may still need the question and the address.
  const held = `SELECT conversation_id FROM escalations WHERE state IN (${placeholders(OPEN_STATES.length)})`;
  const day = `strftime('%Y-%m-%d', (created_at + ${Math.trunc(offset)}) / 1000, 'unixepoch')`;

  const secureBefore = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    const report = db.transaction((): RetentionReport => {
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
        const range = [countedFrom, cutoff];
        add(
          db
            .prepare(
              `SELECT ${day} AS day, channel, 'messages_in' AS metric, COUNT(*) AS n FROM messages
               WHERE direction = 'in' AND created_at >= ? AND created_at < ? GROUP BY 1, 2`,
            )
            .all(...range) as never,
        );
        // One turn (answer) = the replies stored together for one conversation at one time.
        add(
          db
            .prepare(
              `SELECT ${day} AS day, channel, 'outcome_' || outcome AS metric, COUNT(DISTINCT conversation_id || '@' || created_at) AS n
               FROM messages WHERE direction = 'out' AND outcome IS NOT NULL AND created_at >= ? AND created_at < ? GROUP BY 1, 2, 3`,
            )
            .all(...range) as never,
        );
        add(
          db
            .prepare(
              `SELECT ${day} AS day, channel, 'demand_' || reason AS metric, COUNT(*) AS n FROM demand_signals
               WHERE created_at >= ? AND created_at < ? GROUP BY 1, 2, 3`,
            )
            .all(...range) as never,
        );
      }

      // 2. Messages.
      const messages = anonymise
        ? db
            .prepare(
              `UPDATE messages SET text = ?, reply = NULL, sender_id = NULL${sealed ? ', sealed_text = NULL' : ''}
               WHERE created_at < ? AND conversation_id NOT IN (${held})
                 AND (text != ? OR reply IS NOT NULL OR sender_id IS NOT NULL${sealed ? ' OR sealed_text IS NOT NULL' : ''})`,
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

      const result: RetentionReport = {
        ran: true,
        mode: options.mode,
        cutoff: new Date(cutoff),
        statsRows,
        messages,
        demandSignals,
        conversations,
        addresses,
        cases,
        notes,
        outbox,
      };
      const { ran: _ran, mode: _mode, cutoff: _cutoff, ...affected } = result;
      db.prepare('INSERT INTO retention_runs (ran_at, cutoff, mode, counted_from, affected) VALUES (?, ?, ?, ?, ?)').run(
        now.getTime(),
        Math.max(cutoff, countedFrom),
        options.mode,
        countedFrom,
        JSON.stringify(affected),
      );
      return result;
    })();
    // Old page images stay in the WAL until a checkpoint; copy them into the file (overwritten) and truncate it.
    db.pragma('wal_checkpoint(TRUNCATE)');
    return report;
  } finally {
    db.pragma(`secure_delete = ${secureBefore ? 'ON' : 'OFF'}`);
  }
}

/** Daily figures kept by retention, for reports over periods whose messages are gone. */
export function dailyStats(db: Database.Database, since?: string): { day: string; channel: string; metric: string; value: number }[] {
  return db
    .prepare('SELECT day, channel, metric, value FROM daily_stats WHERE day >= ? ORDER BY day, channel, metric')
    .all(since ?? '0000-00-00') as { day: string; channel: string; metric: string; value: number }[];
}

export interface RetentionJob {
  /** Runs now (also what the timer does); errors are logged and returned as null. */
  run(): RetentionReport | null;
  stop(): void;
}

/** Runs retention a minute after start and then once a day (timers unref'd: they never keep the process up). */
export function scheduleRetention(
  db: Database.Database,
  options: Omit<RetentionOptions, 'now'> & { now?: () => Date; logger: Pick<Logger, 'info' | 'error'>; firstRunMs?: number; everyMs?: number },
): RetentionJob {
  const run = (): RetentionReport | null => {
    if (!db.open) return null;
    try {
      const report = runRetention(db, { days: options.days, mode: options.mode, utcOffsetMs: options.utcOffsetMs, now: options.now?.() });
      if (report.ran) options.logger.info({ retention: { ...report, cutoff: report.cutoff?.toISOString() } }, 'retention run');
      return report;
    } catch (err) {
      options.logger.error({ err: (err as Error).message }, 'retention run failed');
      return null;
    }
  };
  if (options.days <= 0) return { run, stop: () => undefined };
  let interval: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    run();
    interval = setInterval(run, options.everyMs ?? DAY_MS);
    interval.unref();
  }, options.firstRunMs ?? 60_000);
  first.unref();
  return {
    run,
    stop() {
      clearTimeout(first);
      clearInterval(interval);
    },
  };
}
