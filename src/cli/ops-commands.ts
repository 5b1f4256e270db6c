/** Operations commands: `huiying retention run` and `huiying backup FILE`. */
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { loadServiceHours } from '../handoff/handoff-settings.ts';
import { backupDatabase } from '../store/sqlite/backup.ts';
import { runRetention, utcOffsetOf, type RetentionMode } from '../ops/retention.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';

export function registerOpsCommands(program: Command): void {
  const retention = program.command('retention').description('data retention (RETENTION_DAYS, RETENTION_MODE)');
  retention
    .command('run')
    .description('anonymise or delete conversation text older than RETENTION_DAYS now (the server also does this daily)')
    .option('--days <n>', 'override RETENTION_DAYS for this run')
    .option('--mode <mode>', 'override RETENTION_MODE: anonymise | delete')
    .action((opts: { days?: string; mode?: string }) => {
      const config = loadConfig();
      const days = opts.days === undefined ? config.RETENTION_DAYS : Number(opts.days);
      if (!Number.isInteger(days) || days < 0) throw new Error(`--days must be a whole number of days, not "${opts.days}"`);
      const mode = (opts.mode ?? config.RETENTION_MODE) as RetentionMode;
      if (mode !== 'anonymise' && mode !== 'delete') throw new Error(`--mode must be anonymise or delete, not "${opts.mode}"`);
      if (days === 0) {
        console.log('RETENTION_DAYS is 0: everything is kept, nothing to do (set it, or pass --days)');
        return;
      }
      const store = new SqliteStore(config.DATABASE_PATH);
      try {
        const report = runRetention(store, { days, mode, utcOffsetMs: utcOffsetOf(loadServiceHours(config.KNOWLEDGE_DIR)) });
        console.log(`retention (${mode}, older than ${days} days, before ${report.cutoff?.toISOString()}):`);
        console.log(`  messages ${report.messages}, demand signals ${report.demandSignals}, conversations ${report.conversations}`);
        console.log(`  channel addresses ${report.addresses}, closed cases ${report.cases}, case notes ${report.notes}, outbox ${report.outbox}`);
        console.log(`  daily figures kept: ${report.statsRows} rows added to daily_stats`);
      } finally {
        store.close();
      }
    });

  program
    .command('backup <file>')
    .description('copy the database to FILE while the server keeps running (SQLite online backup)')
    .action(async (file: string) => {
      const config = loadConfig();
      const result = await backupDatabase(config.DATABASE_PATH, file);
      const rows = Object.entries(result.tables)
        .filter(([t]) => ['messages', 'conversations', 'demand_signals', 'escalations'].includes(t))
        .map(([t, n]) => `${t} ${n}`)
        .join(', ');
      console.log(`backed up ${config.DATABASE_PATH} to ${result.file} (${result.bytes} bytes, ${result.ms} ms): ${rows}`);
    });
}
