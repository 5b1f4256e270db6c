/** Operations commands: `huiying retention run`, `huiying backup FILE` and `huiying db migrate-to-postgres`. */
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { loadServiceHours } from '../handoff/handoff-settings.ts';
import { backupDatabase } from '../store/sqlite/backup.ts';
import { runRetention, utcOffsetOf, type RetentionMode } from '../ops/retention.ts';
import { openStore } from '../store/open-store.ts';
import { migrateToPostgres } from '../store/migrate-to-postgres.ts';

export function registerOpsCommands(program: Command): void {
  const retention = program.command('retention').description('data retention (RETENTION_DAYS, RETENTION_MODE)');
  retention
    .command('run')
    .description('anonymise or delete conversation text older than RETENTION_DAYS now (the server also does this daily)')
    .option('--days <n>', 'override RETENTION_DAYS for this run')
    .option('--mode <mode>', 'override RETENTION_MODE: anonymise | delete')
    .action(async (opts: { days?: string; mode?: string }) => {
      const config = loadConfig();
      const days = opts.days === undefined ? config.RETENTION_DAYS : Number(opts.days);
      if (!Number.isInteger(days) || days < 0) throw new Error(`--days must be a whole number of days, not "${opts.days}"`);
      const mode = (opts.mode ?? config.RETENTION_MODE) as RetentionMode;
      if (mode !== 'anonymise' && mode !== 'delete') throw new Error(`--mode must be anonymise or delete, not "${opts.mode}"`);
      if (days === 0) {
        console.log('RETENTION_DAYS is 0: everything is kept, nothing to do (set it, or pass --days)');
        return;
      }
      const store = await openStore(config);
      try {
        const report = await runRetention(store, { days, mode, utcOffsetMs: utcOffsetOf(loadServiceHours(config.KNOWLEDGE_DIR)) });
        console.log(`retention (${mode}, older than ${days} days, before ${report.cutoff?.toISOString()}):`);
        console.log(`  messages ${report.messages}, demand signals ${report.demandSignals}, conversations ${report.conversations}`);
        console.log(`  channel addresses ${report.addresses}, closed cases ${report.cases}, case notes ${report.notes}, outbox ${report.outbox}`);
        console.log(`  daily figures kept: ${report.statsRows} rows added to daily_stats`);
      } finally {
        await store.close();
      }
    });

  program
    .command('backup <file>')
    .description('copy the database to FILE while the server keeps running (SQLite online backup)')
    .action(async (file: string) => {
      const config = loadConfig();
      if (config.DATABASE_URL) {
        throw new Error('DATABASE_URL is set: back PostgreSQL up with its own tools, e.g. pg_dump --format=custom --file=FILE "$DATABASE_URL" (README "Running several instances")');
      }
      const result = await backupDatabase(config.DATABASE_PATH, file);
      const rows = Object.entries(result.tables)
        .filter(([t]) => ['messages', 'conversations', 'demand_signals', 'escalations'].includes(t))
        .map(([t, n]) => `${t} ${n}`)
        .join(', ');
      console.log(`backed up ${config.DATABASE_PATH} to ${result.file} (${result.bytes} bytes, ${result.ms} ms): ${rows}`);
    });

  program
    .command('db')
    .description('the database')
    .command('migrate-to-postgres')
    .description('copy the SQLite database (DATABASE_PATH) into an empty PostgreSQL database (DATABASE_URL), in one transaction; stop the server first')
    .option('--from <file>', 'the SQLite file (default: DATABASE_PATH)')
    .option('--to <url>', 'the PostgreSQL database (default: DATABASE_URL)')
    .action(async (opts: { from?: string; to?: string }) => {
      const config = loadConfig();
      const from = opts.from ?? config.DATABASE_PATH;
      const to = opts.to ?? config.DATABASE_URL;
      if (!to) throw new Error('no PostgreSQL to copy into: set DATABASE_URL or pass --to postgres://...');
      const started = performance.now();
      const report = await migrateToPostgres(from, to, { onTable: (table, rows) => console.log(`  ${table}: ${rows} rows`) });
      const rows = report.reduce((n, t) => n + t.rows, 0);
      console.log(`copied ${report.length} tables, ${rows} rows, from ${from} into PostgreSQL in ${Math.round(performance.now() - started)} ms`);
      console.log('start the server with DATABASE_URL set (and the same DATA_KEY); keep the SQLite file as a backup');
    });
}
