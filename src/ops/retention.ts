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
import type { Logger } from '../logger.ts';
import type { RetentionCounts, RetentionRepository } from './ports.ts';

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

export interface RetentionReport extends RetentionCounts {
  /** False when RETENTION_DAYS is 0 (keep everything). */
  ran: boolean;
  mode: RetentionMode;
  cutoff: Date | null;
}

/** The UTC offset of the service's local time, from service hours (whose `formatLocal` shows local wall-clock time). */
export function utcOffsetOf(hours: { formatLocal(at: Date): string }): number {
  const local = Date.parse(`${hours.formatLocal(new Date(0)).replace(' ', 'T')}:00Z`);
  return Number.isFinite(local) ? local : 8 * 3_600_000;
}

/** One retention pass over the store: nothing when `days` is 0 (keep everything). */
export async function runRetention(store: { retention: RetentionRepository }, options: RetentionOptions): Promise<RetentionReport> {
  if (!Number.isFinite(options.days) || options.days <= 0) {
    return { ran: false, mode: options.mode, cutoff: null, statsRows: 0, messages: 0, demandSignals: 0, conversations: 0, addresses: 0, cases: 0, notes: 0, outbox: 0 };
  }
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.days * DAY_MS);
  const counts = await store.retention.apply({ cutoff, mode: options.mode, utcOffsetMs: options.utcOffsetMs ?? 8 * 3_600_000, now });
  return { ran: true, mode: options.mode, cutoff, ...counts };
}

export interface RetentionJob {
  /** Runs now (also what the timer does); errors are logged and returned as null. */
  run(): Promise<RetentionReport | null>;
  stop(): void;
}

/** Runs retention a minute after start and then once a day (timers unref'd: they never keep the process up). */
export function scheduleRetention(
  store: { retention: RetentionRepository },
  options: Omit<RetentionOptions, 'now'> & {
    now?: () => Date;
    logger: Pick<Logger, 'info' | 'error'>;
    firstRunMs?: number;
    everyMs?: number;
    /** With several instances: true where this instance holds the retention lease (only there the timer runs it). */
    lease?: () => Promise<boolean>;
  },
): RetentionJob {
  const run = async (): Promise<RetentionReport | null> => {
    try {
      const report = await runRetention(store, { days: options.days, mode: options.mode, utcOffsetMs: options.utcOffsetMs, now: options.now?.() });
      if (report.ran) options.logger.info({ retention: { ...report, cutoff: report.cutoff?.toISOString() } }, 'retention run');
      return report;
    } catch (err) {
      options.logger.error({ err: (err as Error).message }, 'retention run failed');
      return null;
    }
  };
  if (options.days <= 0) return { run, stop: () => undefined };
  let interval: NodeJS.Timeout | undefined;
  const scheduled = (): void => {
    if (!options.lease) void run();
    else void options.lease().then((held) => (held ? run() : null));
  };
  const first = setTimeout(() => {
    scheduled();
    interval = setInterval(scheduled, options.everyMs ?? DAY_MS);
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
