/**
 * `npm run bench:crash`: the crash test, long. The server runs under load (HTTP API, Telegram webhook, WeChat
 * callback, Bot Framework endpoint, a staff member claiming and replying) and is killed with SIGKILL
 * `--crashes` times, `--seconds` apart, and restarted, then stopped with SIGTERM; then every acknowledged
 * message must be stored exactly once, every decided Telegram, WeChat and Bot Framework reply sent, every
 * claimed case still claimed. `--platform-delay MS` makes the fake WeChat API and connector answer each send
 * that late.
 *
 *   npm run bench:crash -- [--crashes 10] [--seconds 10] [--senders 8] [--platform-delay 0] [--knowledge DIR]
 */
import { parseArgs } from 'node:util';
import { runCrashScenario } from '../test/support/crash-scenario.ts';

const { values: args } = parseArgs({
  options: {
    crashes: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '10' },
    senders: { type: 'string', default: '8' },
    'platform-delay': { type: 'string', default: '0' },
    knowledge: { type: 'string' },
  },
});

const started = performance.now();
const report = await runCrashScenario({
  crashes: Number(args.crashes),
  loadMs: Number(args.seconds) * 1000,
  senders: Number(args.senders),
  platformDelayMs: Number(args['platform-delay']),
  modelCacheDir: process.env.MODEL_CACHE_DIR ?? 'data/models',
  knowledgeDir: args.knowledge,
  log: (line) => console.log(line),
});
console.log('');
console.log(`crashes: ${args.crashes}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log(`acknowledged messages: ${report.acknowledged.length} (all stored exactly once: ${report.problems.some((p) => p.startsWith('acknowledged ')) ? 'no' : 'yes'})`);
console.log(`cases opened by "转人工": ${new Set(report.askedForPerson).size} chats; claimed: ${report.claimed.length}; staff replies acknowledged: ${report.staffReplies.length}`);
console.log(`WeChat answers: ${report.passiveReplies.length} passive (in the callback's response), ${report.wechatApiSends} through the customer-service API`);
console.log(`Bot Framework activities the connector received: ${report.botframeworkSends}`);
console.log(`replies that reached the citizen more than once (a crash between sending and marking sent): ${report.resentTwice}`);
if (report.problems.length > 0) {
  console.log(`FAIL: ${report.problems.length} problems`);
  for (const p of report.problems.slice(0, 30)) console.log(`  ${p}`);
  process.exitCode = 1;
} else console.log('OK: nothing acknowledged was lost, every decided reply was sent, every claimed case is still claimed');
