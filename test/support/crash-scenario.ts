/**
 * The crash scenario shared by test/crash-recovery.test.ts (short) and `npm run bench:crash` (long): the real
 * server under load from the HTTP API, the Telegram webhook, the WeChat callback, the Bot Framework endpoint and
 * a staff member, killed with SIGKILL several times and restarted, then stopped with SIGTERM; then what was
 * acknowledged is checked against the database, the fake Telegram, the fake WeChat API and the fake connector.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { renderReplies as renderActivities } from '../../channels/botframework/render.ts';
import { renderReplies } from '../../channels/telegram/render.ts';
import { renderTexts } from '../../channels/wechat/render.ts';
import type { Reply } from '../../src/core/message.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { messageActivity } from '../fakes/botframework-client.ts';
import { startFakeConnector, type FakeConnector } from '../fakes/botframework-connector.ts';
import { startFakeTelegramApi, textUpdate, type FakeTelegramApi } from '../fakes/telegram-api.ts';
import { startFakeWeChatApi, type FakeWeChatApi } from '../fakes/wechat-api.ts';
import { WeChatCallbackClient } from '../fakes/wechat-callback.ts';
import { BENCH_TELEGRAM_TOKEN, BENCH_WEBHOOK_SECRET, freePort, startServerProcess, type ServerProcess } from './server-process.ts';
import { createStaff, login, type StaffClient } from './staff-client.ts';

export interface CrashScenarioOptions {
  /** How many times the server is killed. */
  crashes: number;
  /** How long the load runs before each kill. */
  loadMs: number;
  /** Concurrent senders on the HTTP API, the Telegram webhook, the WeChat callback and the Bot Framework endpoint (each). */
  senders: number;
  /**
   * Every send to the fake WeChat API and the fake Bot Framework connector takes this long (ms): the delay a
   * busy machine or a slow platform causes, which leaves more in the outbox at each kill and makes the restart's
   * re-sending outlast the moment the scenario stops the server.
   */
  platformDelayMs?: number;
  modelCacheDir: string;
  knowledgeDir?: string;
  /** Progress lines (the bench prints them). */
  log?: (line: string) => void;
}

export interface CrashReport {
  /** Messages answered with 2xx: [channel, platform id]. */
  acknowledged: [string, string][];
  /** Staff replies answered with 2xx: the chat and the text. */
  staffReplies: { chatId: number; text: string }[];
  /** Cases whose claim was answered with 2xx. */
  claimed: number[];
  /** Telegram chats whose "转人工" was acknowledged. */
  askedForPerson: number[];
  /** WeChat answers that came back in the callback's response (passive replies): the OpenID and the text. */
  passiveReplies: { openId: string; text: string }[];
  /** WeChat answers sent later through the customer-service API. */
  wechatApiSends: number;
  /** Activities the fake Bot Framework connector received (answers in the turn, and re-sent after a restart). */
  botframeworkSends: number;
  /** What does not hold; empty when the store and the fake Telegram agree with what was acknowledged. */
  problems: string[];
  /** Replies that reached the citizen more than once, on Telegram, WeChat or Bot Framework (allowed: delivery is at least once). */
  resentTwice: number;
}

const QUESTIONS = ['居住证怎么办理?', '公积金怎么提取', 'How do I apply for a residence permit?', '营业执照要什么材料', '火星签证怎么办', '社保卡丢了怎么办'];
/** The staff account of the scenario (a supervisor, created in the database before the first start). */
export const STAFF = 'crashlead';
const WX = { token: 'crashwxtoken', appId: 'wxc0ffee0123456789', appSecret: 'crash-wechat-secret' };
export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** A run is killed only once this many messages were acknowledged in it (and a staff reply, and a passive reply where the run gives them). */
export const MIN_ACKNOWLEDGED_PER_RUN = 30;

/** The temp folder of the database, the fake platforms, and the environment that points a server at them. */
export interface Platforms {
  /** Folder of `huiying.db` (with the staff account in it) and its key file. */
  dir: string;
  fake: FakeTelegramApi;
  weixin: FakeWeChatApi;
  connector: FakeConnector;
  /** Environment of every server process of the scenario, but for its WeChat reply budget. */
  env: NodeJS.ProcessEnv;
  /** Stops the fake platforms. */
  stop(): Promise<void>;
}

/** Creates the database with the staff account and starts the fake Telegram, WeChat API and Bot Framework connector. */
export async function preparePlatforms(options: CrashScenarioOptions): Promise<Platforms> {
  const dir = mkdtempSync(join(tmpdir(), 'huiying-crash-'));
  const seed = new SqliteStore(join(dir, 'huiying.db'));
  await createStaff(seed, STAFF, 'supervisor', []);
  await seed.close();
  const fake = await startFakeTelegramApi(BENCH_TELEGRAM_TOKEN);
  const weixin = await startFakeWeChatApi(WX);
  const connector = await startFakeConnector();
  weixin.delaySends(options.platformDelayMs ?? 0);
  connector.delaySends(options.platformDelayMs ?? 0);
  const env = {
    MODEL_CACHE_DIR: options.modelCacheDir,
    ...(options.knowledgeDir ? { KNOWLEDGE_DIR: options.knowledgeDir } : {}),
    WECHAT_TOKEN: WX.token,
    WECHAT_APP_ID: WX.appId,
    WECHAT_APP_SECRET: WX.appSecret,
    WECHAT_API_BASE: weixin.url,
    BOTFRAMEWORK_EMULATOR: '1',
  };
  return {
    dir,
    fake,
    weixin,
    connector,
    env,
    stop: async () => {
      await fake.stop();
      await weixin.stop();
      await connector.stop();
    },
  };
}

export const emptyReport = (): CrashReport => ({
  acknowledged: [],
  staffReplies: [],
  claimed: [],
  askedForPerson: [],
  passiveReplies: [],
  wechatApiSends: 0,
  botframeworkSends: 0,
  problems: [],
  resentTwice: 0,
});

export async function runCrashScenario(options: CrashScenarioOptions): Promise<CrashReport> {
  const log = options.log ?? (() => undefined);
  const platforms = await preparePlatforms(options);
  const { dir, fake, weixin, connector } = platforms;
  const port = await freePort();
  // WeChat's answers take both ways: runs with an even number answer within a short budget (mostly passive
  // replies in the callback's response), odd ones with none (every answer later through the customer-service API).
  let run = 0;
  const start = (): Promise<ServerProcess> =>
    startServerProcess({ dir, port, telegramApiRoot: fake.url, env: { ...platforms.env, WECHAT_REPLY_BUDGET_MS: run++ % 2 === 0 ? '50' : '0' } });
  const report = emptyReport();
  let server = await start();
  let next = 0;
  try {
    for (let crash = 1; crash <= options.crashes; crash++) {
      const until = { stop: false };
      const staff = await login(server.url, STAFF);
      const loops = startLoad({ url: server.url, staff, connector, until, report, id: () => next++, senders: options.senders });
      // At least loadMs, and on a busy machine until this run has really been under load (capped).
      const before = { acknowledged: report.acknowledged.length, staffReplies: report.staffReplies.length, passive: report.passiveReplies.length };
      const passiveRun = (run - 1) % 2 === 0;
      const loaded = (): boolean =>
        report.acknowledged.length - before.acknowledged >= MIN_ACKNOWLEDGED_PER_RUN &&
        report.staffReplies.length > before.staffReplies &&
        (!passiveRun || report.passiveReplies.length > before.passive);
      await delay(options.loadMs);
      const cap = Date.now() + Math.max(options.loadMs * 10, 30_000);
      while (!loaded() && Date.now() < cap) await delay(50);
      await server.kill9();
      until.stop = true;
      await Promise.all(loops);
      log(`crash ${crash}: killed with ${report.acknowledged.length} messages and ${report.staffReplies.length} staff replies acknowledged so far`);
      server = await start();
    }
  } finally {
    // The last start re-sends what the last kill left in the outbox and answers what it left unanswered; a
    // SIGTERM meanwhile lets that finish, then the server exits cleanly (0).
    const exit = await server.stop();
    if (exit !== 0) report.problems.push(`the last run did not stop cleanly on SIGTERM (exit ${String(exit)}): ${server.stderr().slice(-500)}`);
    await platforms.stop();
  }
  check(join(dir, 'huiying.db'), fake, weixin, connector, report);
  rmSync(dir, { recursive: true, force: true });
  return report;
}

export type Until = { stop: boolean };

/** What the load sent to one server counted, beside the report (with several instances: how the load spread). */
export interface Tally {
  acknowledged: number;
  passiveReplies: number;
  staffReplies: number;
  /** The slowest acknowledged request of each channel (ms from sending to the acknowledgement). */
  slowestMs: Record<string, number>;
}

export const emptyTally = (): Tally => ({ acknowledged: 0, passiveReplies: 0, staffReplies: 0, slowestMs: {} });

/** The load of one server until `until.stop` or until the server stops answering. */
export interface Load {
  url: string;
  /** The staff member, logged in on this server. */
  staff: StaffClient;
  connector: FakeConnector;
  until: Until;
  report: CrashReport;
  /** The next message number (unique across every loop of the scenario). */
  id: () => number;
  /** Senders per channel. */
  senders: number;
  /** Counts what this server acknowledged. */
  tally?: Tally;
  /** Names the instance in the staff replies' texts (several instances, each with a staff loop of its own). */
  instance?: string;
}

/** Starts the senders of every channel and the staff loop on one server; each loop ends at `until.stop` or when the server stops answering. */
export function startLoad(load: Load): Promise<void>[] {
  const senders = <T>(loop: (load: Load) => Promise<T>): Promise<T>[] => Array.from({ length: load.senders }, () => loop(load));
  return [...senders(apiLoop), ...senders(telegramLoop), ...senders(wechatLoop), ...senders(botframeworkLoop), staffLoop(load)];
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<number | null> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return null;
  }
}

function acknowledged(load: Load, channel: string, id: string, sentAt: number): void {
  load.report.acknowledged.push([channel, id]);
  if (!load.tally) return;
  load.tally.acknowledged++;
  load.tally.slowestMs[channel] = Math.max(load.tally.slowestMs[channel] ?? 0, performance.now() - sentAt);
}

async function apiLoop(load: Load): Promise<void> {
  while (!load.until.stop) {
    const n = load.id();
    const messageId = `crash-${n}`;
    const sentAt = performance.now();
    const status = await post(`${load.url}/api/v1/messages`, { conversationId: `crash-api-${n % 97}`, text: QUESTIONS[n % QUESTIONS.length], messageId });
    if (status === null) return;
    if (status >= 200 && status < 300) acknowledged(load, 'api', messageId, sentAt);
  }
}

async function telegramLoop(load: Load): Promise<void> {
  for (let sent = 0; !load.until.stop; sent++) {
    const n = load.id();
    const chatId = 5_000_000 + (n % 61);
    // Each sender's first and every ninth message asks for a person: a case opens (or the open one is named
    // again), also when a busy machine lets each sender send only a few.
    const text = sent % 9 === 0 ? '转人工' : QUESTIONS[n % QUESTIONS.length]!;
    const sentAt = performance.now();
    const status = await post(`${load.url}/channels/telegram/webhook`, textUpdate({ updateId: 100_000 + n, chatId, text }), {
      'x-telegram-bot-api-secret-token': BENCH_WEBHOOK_SECRET,
    });
    if (status === null) return;
    if (status === 200) {
      acknowledged(load, 'telegram', String(100_000 + n), sentAt);
      if (text === '转人工') load.report.askedForPerson.push(chatId);
    }
  }
}

async function wechatLoop(load: Load): Promise<void> {
  const wechat = new WeChatCallbackClient({ url: `${load.url}/channels/wechat`, token: WX.token, appId: WX.appId });
  while (!load.until.stop) {
    const n = load.id();
    const openId = `o-crash-${n % 53}`;
    const msgId = String(700_000_000 + n);
    const sentAt = performance.now();
    const res = await wechat.text(openId, QUESTIONS[n % QUESTIONS.length]!, msgId).catch(() => null);
    if (!res) return;
    if (res.status !== 200) continue;
    acknowledged(load, 'wechat', msgId, sentAt);
    if (res.reply?.Content) {
      load.report.passiveReplies.push({ openId, text: res.reply.Content });
      if (load.tally) load.tally.passiveReplies++;
    }
  }
}

async function botframeworkLoop(load: Load): Promise<void> {
  while (!load.until.stop) {
    const n = load.id();
    const user = `bf-crash-${n % 47}`;
    const activity = messageActivity(load.connector, user, QUESTIONS[n % QUESTIONS.length]!, `activity-${n}`);
    const sentAt = performance.now();
    const status = await post(`${load.url}/api/messages`, activity);
    if (status === null) return;
    if (status === 200) acknowledged(load, 'botframework', `conv-${user}/activity-${n}`, sentAt);
  }
}

/** Claims waiting Telegram cases and replies to each once. */
async function staffLoop({ staff, until, report, tally, instance }: Load): Promise<void> {
  let n = 0;
  while (!until.stop) {
    const queue = await staff.get('/api/v1/escalations?state=pending').catch(() => null);
    if (!queue) return;
    const waiting = ((queue.body?.escalations ?? []) as { id: number; conversationId: string }[]).filter((e) => e.conversationId.startsWith('telegram:'));
    if (waiting.length === 0) {
      await delay(20);
      continue;
    }
    for (const e of waiting.slice(0, 3)) {
      const claim = await staff.post(`/api/v1/escalations/${e.id}/claim`).catch(() => null);
      if (!claim) return;
      if (claim.status !== 200) continue;
      report.claimed.push(e.id);
      const text = `staff reply ${instance ? `${instance}-` : ''}${++n} to case ${e.id}`;
      const reply = await staff.post(`/api/v1/escalations/${e.id}/messages`, { text }).catch(() => null);
      if (!reply) return;
      if (reply.status === 200) {
        report.staffReplies.push({ chatId: Number(e.conversationId.slice('telegram:'.length)), text });
        if (tally) tally.staffReplies++;
      }
    }
  }
}

/** Compares what was acknowledged with the database and with what the fake Telegram and WeChat received. */
export function check(path: string, fake: FakeTelegramApi, weixin: FakeWeChatApi, connector: FakeConnector, report: CrashReport): void {
  const problems = report.problems;
  const db = new Database(path, { readonly: true });
  const count = db.prepare('SELECT COUNT(*) FROM messages WHERE channel = ? AND platform_message_id = ?').pluck();
  for (const [channel, id] of report.acknowledged) {
    const n = count.get(channel, id) as number;
    if (n !== 1) problems.push(`acknowledged ${channel} message ${id} is stored ${n} times`);
  }
  // How often each text reached each chat, and how often the transcript says it was decided.
  const sent = tally(fake.callsOf('sendMessage').map((call) => `${String(call.chat_id)}\n${String(call.text)}`));
  const pending = db.prepare("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").pluck().get() as number;
  if (pending > 0) problems.push(`${pending} outbox items are still pending after the restart`);
  // Every reply decided for a Telegram conversation (bot answers and staff replies, as stored in the transcript) reached the fake.
  const rows = db.prepare("SELECT conversation_id, reply FROM messages WHERE channel = 'telegram' AND direction = 'out'").all() as { conversation_id: string; reply: string }[];
  const decided = tally(
    rows.flatMap((row) => renderReplies([JSON.parse(row.reply) as Reply]).map(({ text }) => `${row.conversation_id.slice('telegram:'.length)}\n${text}`)),
  );
  compareDeliveries('a Telegram reply', decided, sent, report);
  for (const { chatId, text } of report.staffReplies) {
    if (![...sent.keys()].some((key) => key.startsWith(`${chatId}\n`) && key.endsWith(text))) problems.push(`acknowledged staff reply "${text}" never reached chat ${chatId}`);
  }
  checkWeChat(db, weixin, report);
  checkBotFramework(db, connector, report);
  const escalation = db.prepare('SELECT state, assignee_id FROM escalations WHERE id = ?');
  for (const id of report.claimed) {
    const row = escalation.get(id) as { state: string; assignee_id: number | null } | undefined;
    if (row?.state !== 'assigned' || row.assignee_id === null) problems.push(`case ${id} was claimed but is ${row?.state ?? 'missing'}`);
  }
  const cases = db.prepare("SELECT COUNT(*) FROM escalations WHERE conversation_id = ?").pluck();
  for (const chatId of new Set(report.askedForPerson)) {
    if ((cases.get(`telegram:${chatId}`) as number) === 0) problems.push(`chat ${chatId} asked for a person (acknowledged) but has no case`);
  }
  db.close();
}

/** Every answer decided for a WeChat conversation reached the citizen: in the callback's response or through the API. */
function checkWeChat(db: Database.Database, weixin: FakeWeChatApi, report: CrashReport): void {
  const got = tally([...report.passiveReplies.map(({ openId, text }) => `${openId}\n${text}`), ...weixin.sent.map(({ touser, content }) => `${touser}\n${content}`)]);
  report.wechatApiSends = weixin.sent.length;
  // WeChat gets a turn's replies as one text (split by length), so the rows of a turn (one time) go together.
  const rows = db.prepare("SELECT conversation_id, created_at, reply FROM messages WHERE channel = 'wechat' AND direction = 'out' ORDER BY id").all() as { conversation_id: string; created_at: number; reply: string }[];
  const turns = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.conversation_id}\n${row.created_at}`;
    turns.set(key, [...(turns.get(key) ?? []), row]);
  }
  const decided = tally(
    [...turns.values()].flatMap((turn) => {
      const openId = turn[0]!.conversation_id.slice('wechat:'.length);
      return renderTexts(turn.map((row) => JSON.parse(row.reply) as Reply)).map((text) => `${openId}\n${text}`);
    }),
  );
  if (decided.size === 0) report.problems.push('no WeChat answer was decided: the WeChat channel did not run');
  // WeChat was told "success" once a message was stored: each stored question must have had its answer decided
  // (each answer is one outbox entry), those a crash caught in between at the next start.
  const questions = db.prepare("SELECT conversation_id AS id, COUNT(*) AS n FROM messages WHERE channel = 'wechat' AND direction = 'in' GROUP BY conversation_id").all() as { id: string; n: number }[];
  const answers = db.prepare("SELECT COUNT(*) FROM outbox WHERE conversation_id = ?").pluck();
  for (const { id, n } of questions) {
    const m = answers.get(id) as number;
    if (m !== n) report.problems.push(`${id}: ${n} questions stored, ${m} answers decided`);
  }
  compareDeliveries('a WeChat answer', decided, got, report);
}

/** Every answer decided for a Bot Framework conversation reached the connector, as the activities it renders to. */
function checkBotFramework(db: Database.Database, connector: FakeConnector, report: CrashReport): void {
  report.botframeworkSends = connector.activities.length;
  const got = tally(connector.activities.map(({ conversationId, activity }) => `${conversationId}\n${String(activity.text)}`));
  const rows = db.prepare("SELECT conversation_id, reply FROM messages WHERE channel = 'botframework' AND direction = 'out'").all() as { conversation_id: string; reply: string }[];
  const decided = tally(
    rows.flatMap((row) =>
      renderActivities([JSON.parse(row.reply) as Reply]).map((activity) => `${row.conversation_id.slice('botframework:'.length)}\n${String(activity.text)}`),
    ),
  );
  if (decided.size === 0) report.problems.push('no Bot Framework answer was decided: the Bot Framework channel did not run');
  compareDeliveries('a Bot Framework answer', decided, got, report);
}

/** How often each key occurs. */
function tally(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** Each decided "citizen\ntext" reached the citizen at least as often as decided; more often counts as resent. */
function compareDeliveries(what: string, decided: Map<string, number>, delivered: Map<string, number>, report: CrashReport): void {
  for (const [key, n] of decided) {
    const got = delivered.get(key) ?? 0;
    if (got < n) report.problems.push(`${what} was decided ${n} times but reached the citizen ${got} times: ${key.replace('\n', ': ').slice(0, 80)}`);
  }
  for (const [key, got] of delivered) report.resentTwice += Math.max(0, got - (decided.get(key) ?? 0));
}
