/** The `huiying` command line: serve, chat, train, kb lint, kb import, eval, staff add and unlock. */
import 'dotenv/config';
import { Command, Option } from 'commander';
import { createInterface } from 'node:readline/promises';
import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import { ConfigError, loadConfig } from '../config.ts';
import { CasesFileError } from '../eval/eval-cases.ts';
import { loadIntents } from '../knowledge/intents-loader.ts';
import { KnowledgeError } from '../knowledge/knowledge-error.ts';
import { loadKnowledgeBase } from '../knowledge/knowledge-loader.ts';
import { formatProblem } from '../knowledge/knowledge-error.ts';
import type { EngineVersion } from '../nlu/bot-model.ts';
import type { ChannelPlugin } from '../server/channel-adapter.ts';
import { openStore } from '../store/open-store.ts';
import { lintKnowledge } from './kb-lint.ts';
import { addStaff, readPassword, serverDatabase, StaffAddError } from './staff-add.ts';
import { registerDemandCommand } from './demand-analyze.ts';
import { GENERAL_QUEUE } from '../handoff/routing.ts';
import { createLogger } from '../logger.ts';
import { installSignalHandlers } from '../ops/shutdown.ts';
import { registerOpsCommands } from './ops-commands.ts';

/** `--engine v1|v2`, by default ENGINE or v1. */
function engineOption(description: string): Option {
  return new Option('--engine <version>', description).choices(['v1', 'v2']).default(process.env.ENGINE ?? 'v1');
}

/** Runs the command line; `channels` are the adapters the composition root offers to `serve`. */
export async function runCli(argv: readonly string[], channels: readonly ChannelPlugin[]): Promise<void> {
  const program = new Command('huiying').description('Huiying (回应): a chatbot for government public services');

  program
    .command('serve')
    .description('run the server (HTTP API, demo page, channels)')
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger(config.LOG_LEVEL);
      const { startServer } = await import('../server/start-server.ts');
      const stop = new AbortController();
      const starting = startServer(config, { channels, logger, signal: stop.signal });
      // SIGTERM/SIGINT: stop accepting, let requests in flight finish (SHUTDOWN_TIMEOUT_MS), close the database.
      // Installed before the start ends: a signal while the start re-sends what the last run left (it listens
      // meanwhile) lets that finish first instead of killing the process half-way; one while it still waits
      // for the database ends the wait.
      installSignalHandlers(
        {
          close: async () => {
            stop.abort();
            await (await starting.catch(() => null))?.close();
          },
        },
        logger,
      );
      const running = await starting;
      console.log(`Huiying is running: ${running.url}/`);
    });

  program
    .command('chat')
    .description('talk to the bot in the terminal')
    .action(async () => {
      const config = loadConfig();
      const [{ buildEngine }, { MessageService }] = await Promise.all([import('../bot-runtime.ts'), import('../core/message-service.ts')]);
      const engine = await buildEngine(config);
      const store = await openStore(config);
      const service = new MessageService(store, engine);
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const conversationId = randomUUID();
      console.log('回应 Huiying — 请输入问题 / type a question (Ctrl+D to quit)');
      try {
        for await (const line of rl) {
          if (!line.trim()) continue;
          const result = await service.handle({ channel: 'cli', conversationId, senderId: 'cli', text: line, time: new Date() });
          for (const r of result.replies) {
            console.log(`\n${r.text}`);
            for (const l of r.links ?? []) console.log(`  ${l.title}: ${l.url}`);
          }
          console.log(`  [${result.outcome}]\n`);
        }
      } finally {
        await store.close();
      }
    });

  program
    .command('train')
    .description('train the model on the knowledge base (cached; unchanged content loads instantly)')
    .action(async () => {
      const config = loadConfig();
      const kb = loadKnowledgeBase(config.KNOWLEDGE_DIR);
      const { loadOrTrainModel } = await import('../nlu/bot-model.ts');
      const model = await loadOrTrainModel(kb, loadIntents(config.INTENTS_DIR), { cacheDir: config.MODEL_CACHE_DIR, engine: config.ENGINE, strictness: config.DECISION_STRICTNESS });
      console.log(`${kb.entries.length} entries; ${model.fromCache ? 'loaded from cache' : `trained in ${model.trainMs} ms`}`);
      console.log(JSON.stringify(model.matcher.report, null, 2));
    });

  const kb = program.command('kb').description('knowledge-base tools');
  kb.command('lint')
    .description('check the knowledge-base files')
    .option('--dir <dir>', 'knowledge folder')
    .action((opts: { dir?: string }) => {
      const { lines } = lintKnowledge(opts.dir ?? loadConfig().KNOWLEDGE_DIR);
      for (const l of lines) console.log(l);
    });
  kb.command('import <file>')
    .description('turn a CSV or XLSX FAQ sheet, or a JSON FAQ (array of {department, question, answer}, HTML answers allowed), into YAML files')
    .option('--out <dir>', 'output folder (default: the knowledge folder)')
    .option('--department <id>', 'department for rows without one (spreadsheets)')
    .option('--base-url <url>', 'base address for relative links in HTML answers (JSON)')
    .option('--overwrite', 'replace existing imported files')
    .action(async (file: string, opts: { out?: string; department?: string; baseUrl?: string; overwrite?: boolean }) => {
      const out = opts.out ?? loadConfig().KNOWLEDGE_DIR;
      const json = extname(file).toLowerCase() === '.json';
      const faq = json ? (await import('../knowledge/faq-json-import.ts')).importFaqJson(file, out, { overwrite: opts.overwrite, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) }) : null;
      const result = faq ?? (await (await import('../knowledge/spreadsheet-import.ts')).importSpreadsheet(file, out, { overwrite: opts.overwrite, defaultDepartment: opts.department }));
      for (const f of result.files) console.log(`wrote ${f.path}: ${f.entries} entries (${f.department})`);
      if (faq?.departments) console.log(`added ${faq.departments.added.length} departments to ${faq.departments.path}`);
      for (const p of result.skipped) console.error(formatProblem(p));
      const entries = result.files.reduce((n, f) => n + f.entries, 0);
      if (json || entries === 0) {
        console.log(`${entries} entries imported in ${result.files.length} files, ${result.skipped.length} problems reported`);
      }
      if (entries === 0) {
        console.error(`${file}: nothing imported`);
        process.exitCode = 1;
      }
    });

  program
    .command('eval')
    .description('train on a knowledge base and score it on a cases file')
    .requiredOption('--kb <path>', 'knowledge folder, or JSON {"entries":[{"id","questions","answer"}]}')
    .requiredOption('--cases <file>', 'JSON lines {"text","expect": id|null}')
    .option('--json', 'print one JSON object')
    .option('--with-intents [dir]', 'also use the conversational intents')
    .option('--leave-out <ids>', 'comma-separated entry ids left out of training (their cases should expect null)')
    .addOption(engineOption('the engine to evaluate'))
    .option('--decision-without <set>', 'engine v2: use the shipped decision learned without this labelled set (as npm run eval does)')
    .action(async (opts: { kb: string; cases: string; json?: boolean; withIntents?: string | boolean; leaveOut?: string; engine: EngineVersion; decisionWithout?: string }) => {
      const { evaluateFiles } = await import('../eval/evaluate-files.ts');
      const scores = await evaluateFiles({
        engine: opts.engine,
        decisionWithout: opts.decisionWithout,
        kb: opts.kb,
        cases: opts.cases,
        leaveOut: (opts.leaveOut ?? '').split(',').map((s) => s.trim()).filter(Boolean),
        intentsDir: opts.withIntents ? (typeof opts.withIntents === 'string' ? opts.withIntents : 'intents') : null,
      });
      // Peak resident memory of this whole process (start-up, loading, training, answering); maxRSS is in KiB.
      const metrics = { ...scores, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
      if (opts.json) console.log(JSON.stringify(metrics));
      else for (const [k, v] of Object.entries(metrics)) console.log(`${k.padEnd(14)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
    });

  registerDemandCommand(program);
  registerOpsCommands(program);

  const staff = program.command('staff').description('staff accounts of the console');
  staff
    .command('add')
    .description('create a staff account (password from a prompt, or standard input with --password-stdin)')
    .requiredOption('--name <name>', 'login name')
    .option('--display-name <name>', 'name citizens and colleagues see (default: the login name)')
    .option('--role <role>', 'agent, supervisor or admin', 'agent')
    .option('--department <id...>', 'department queue(s); may be left out for supervisors and administrators', [])
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: { name: string; displayName?: string; role: 'agent' | 'supervisor' | 'admin'; department: string[]; passwordStdin?: boolean }) => {
      const config = loadConfig();
      const knowledge = loadKnowledgeBase(config.KNOWLEDGE_DIR);
      const known = [...knowledge.departments.map((d) => d.id), GENERAL_QUEUE];
      const database = config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : serverDatabase(config.DATABASE_PATH);
      const password = await readPassword(Boolean(opts.passwordStdin));
      const store = await openStore(config);
      try {
        const created = await addStaff(store, opts, password, known);
        await store.audit.record({ staffId: null, action: 'staff_add', target: created.name, detail: `${created.role} (command line)`, createdAt: new Date() });
        console.log(`created ${created.role} "${created.name}"${created.departments.length ? ` for ${created.departments.join(', ')}` : ''} in ${database}`);
      } finally {
        await store.close();
      }
    });

  staff
    .command('reset-2fa')
    .description("remove an account's two-step verification (a lost phone and recovery codes); it sets it up again at its next login")
    .requiredOption('--name <name>', 'login name')
    .action(async (opts: { name: string }) => {
      const config = loadConfig();
      const store = await openStore(config);
      try {
        const account = await store.staff.findByName(opts.name);
        if (!account) throw new StaffAddError(`no staff member "${opts.name}"`);
        await store.secondFactors.clear(account.id);
        await store.sessions.deleteForStaff(account.id);
        await store.audit.record({ staffId: null, action: 'totp_reset', target: account.name, detail: 'command line', createdAt: new Date() });
        console.log(`two-step verification of "${account.name}" removed; its sessions ended`);
      } finally {
        await store.close();
      }
    });

  staff
    .command('unlock <name>')
    .description("start an account's login limits afresh (works on a running server: it reads the account's unlock epoch at each login)")
    .action(async (name: string) => {
      const config = loadConfig();
      const store = await openStore(config);
      try {
        const account = await store.staff.findByName(name);
        if (!account) {
          console.error(`no staff member "${name}"`);
          process.exitCode = 1;
          return;
        }
        await store.staff.unlockLogin(account.id);
        await store.audit.record({ staffId: null, action: 'login_unlock', target: account.name, detail: '(command line)', createdAt: new Date() });
        console.log(`unlocked the login of "${account.name}"`);
      } finally {
        await store.close();
      }
    });

  program
    .command('eval-suite')
    .description('the benchmark: the shipped test set and the public datasets under one protocol, with the floors')
    .option('--datasets <dir>', 'public datasets folder', '../shared/datasets')
    .option('--only <names>', 'comma-separated sets to run (e.g. banking77,smp2019)')
    .option('--verbose', 'also print each fold')
    .option('--baseline', 'also run plain node-nlp with its defaults')
    .addOption(engineOption('the engine to measure'))
    .action(async (opts: { datasets: string; only?: string; verbose?: boolean; baseline?: boolean; engine: EngineVersion }) => {
      const { runEvalSuite } = await import('../eval/eval-suite.ts');
      await runEvalSuite({ datasets: opts.datasets, only: opts.only?.split(','), verbose: opts.verbose, baseline: opts.baseline, engine: opts.engine });
    });

  await program.parseAsync([...argv]).catch((err: unknown) => {
    if (err instanceof KnowledgeError || err instanceof ConfigError || err instanceof CasesFileError || err instanceof StaffAddError) {
      console.error(err.message);
    } else {
      console.error(err instanceof Error ? `error: ${err.message}` : err);
    }
    process.exit(1);
  });
}
