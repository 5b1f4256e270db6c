/**
 * The PostgreSQL of the tests: TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres. Where none answers
 * (and CI is not set) the suites run on PGlite instead: PostgreSQL compiled to WebAssembly, started in the test's
 * own process behind its wire-protocol server on a free loopback port, so that they still go through `pg`. With CI
 * set a missing PostgreSQL fails instead, since CI starts one.
 */
import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll } from 'vitest';

export const POSTGRES_TEST_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs `work` on a connection of its own to `url`, closed afterwards. */
async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return await withClient(url, async (client) => (await client.query('SELECT 1 AS one')).rows[0]?.one === 1);
  } catch {
    return false;
  }
}

/**
 * The URL of a PostgreSQL for `suite`: the one at POSTGRES_TEST_URL when it answers, else (CI not set) an in-process
 * PGlite, said so in one line on stderr and stopped when the test file ends.
 */
export async function testPostgres(suite: string): Promise<string> {
  if (await answers(POSTGRES_TEST_URL)) return POSTGRES_TEST_URL;
  if (process.env.CI) throw new Error(`${suite}: no PostgreSQL answers at ${POSTGRES_TEST_URL}, and under CI nothing may be skipped (.ci/run starts it)`);
  const url = await usePglite();
  console.warn(`${suite}: runs on PGlite (in-process, ${url}) because no PostgreSQL answered at ${POSTGRES_TEST_URL}`);
  return url;
}

/** A schema name of its own for one test, so that tests never see each other's tables. */
export const testSchema = (): string => `huiying_test_${randomBytes(6).toString('hex')}`;

/** Drops a test's schema with everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  await withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`));
}

// ---------------------------------------------------------------------------------------------------------------
// PGlite in place of a server.
//
// PGlite is one PostgreSQL session. PGLiteSocketServer takes several connections at once (`maxConnections`, default
// 1) by feeding every frontend message of every connection, one at a time, into that session. As shipped that is not
// enough for a connection pool: the startup parameters of a connection (`options=-c search_path=...`, which is how
// PostgresStore keeps to its schema) are ignored, and the messages of one extended-protocol query (Parse, Bind,
// Execute, Sync) of one connection can interleave with another's outside a transaction. So the server's message queue
// is replaced by SessionQueue below: a connection keeps the session from its first message until ReadyForQuery says
// idle (through a whole transaction, as before), and when the session passes to another connection that one's
// startup settings are put in force first. Connections then behave as on a server, except that transactions run one
// after the other instead of side by side: a transaction never waits for a lock another one holds, and code that
// waits, inside a transaction, for another connection's statement would wait for ever (the store has none).

/** Connections the in-process server takes at once: more than any suite opens (pools of 10, several stores). */
const PGLITE_CONNECTIONS = 200;

/** What PGLiteSocketServer's connection handlers hand each frontend message to (the shape of its QueryQueueManager). */
interface MessageQueue {
  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number>;
  getQueueLength(): number;
  clearQueueForHandler(handlerId: number): void;
  clearTransactionIfNeeded(handlerId: number): Promise<void>;
}

type Task =
  | { kind: 'message'; handlerId: number; message: Uint8Array; onData: (data: Uint8Array) => void; resolve: (bytes: number) => void; reject: (error: unknown) => void }
  | { kind: 'close'; handlerId: number; resolve: () => void; reject: (error: unknown) => void };

const PROTOCOL_3 = 196_608;
/** How long others may wait for one connection's transaction before that is said. */
const STALL_MS = 10_000;
/** Startup parameters that are not settings. */
const NOT_SETTINGS = new Set(['user', 'database', 'options', 'replication']);

/** A startup message (length, protocol 3.0, name/value pairs) has no type byte: its second word is the protocol. */
function isStartup(message: Uint8Array): boolean {
  return message.length >= 8 && Buffer.from(message.buffer, message.byteOffset, message.byteLength).readInt32BE(4) === PROTOCOL_3;
}

/** The settings a startup message asks for: its parameters that are settings, and the `-c name=value` of `options`. */
function startupSettings(message: Uint8Array): Map<string, string> {
  const fields = Buffer.from(message.buffer, message.byteOffset, message.byteLength).subarray(8).toString('utf8').split('\0');
  const settings = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length && fields[i] !== ''; i += 2) {
    const [name, value] = [fields[i]!, fields[i + 1]!];
    if (name === 'options') for (const [n, v] of commandLineSettings(value)) settings.set(n, v);
    else if (!NOT_SETTINGS.has(name)) settings.set(name, value);
  }
  return settings;
}

/** `-c name=value`, `-cname=value` and `--name=value` in a libpq `options` string (backslash escapes a space). */
function commandLineSettings(options: string): Array<[string, string]> {
  const words: string[] = [];
  let word = '';
  for (let i = 0; i < options.length; i++) {
    const ch = options[i]!;
    if (ch === '\\' && i + 1 < options.length) word += options[++i];
    else if (/\s/.test(ch)) {
      if (word) words.push(word);
      word = '';
    } else word += ch;
  }
  if (word) words.push(word);
  const settings: Array<[string, string]> = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const assignment = w === '-c' ? words[++i] : w.startsWith('--') ? w.slice(2) : w.startsWith('-c') ? w.slice(2) : undefined;
    const eq = assignment?.indexOf('=') ?? -1;
    if (assignment === undefined || eq <= 0) throw new Error(`PGlite test server: cannot read startup options ${JSON.stringify(options)}`);
    settings.push([assignment.slice(0, eq).replace(/-/g, '_'), assignment.slice(eq + 1)]);
  }
  return settings;
}

/** Reads the backend's replies as they stream out, and keeps the status of the last ReadyForQuery ('I', 'T' or 'E'). */
class ReplyScanner {
  status: string | null = null;
  private rest = Buffer.alloc(0);

  scan(data: Uint8Array): void {
    let buf = this.rest.length ? Buffer.concat([this.rest, data]) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    while (buf.length >= 5) {
      const end = 1 + buf.readInt32BE(1);
      if (buf.length < end) break;
      if (buf[0] === 0x5a /* Z */) this.status = String.fromCharCode(buf[5]!);
      buf = buf.subarray(end);
    }
    this.rest = Buffer.from(buf);
  }
}

/** A message queue for PGLiteSocketServer that gives each connection a session of its own, one after the other. */
class SessionQueue implements MessageQueue {
  private tasks: Task[] = [];
  private running = false;
  /** The connection whose request or transaction is under way: only its messages run until ReadyForQuery says idle. */
  private owner: number | null = null;
  /** The startup settings of each connection. */
  private readonly settings = new Map<number, Map<string, string>>();
  /** The settings of ours in force in the session, and what each was before we first set it. */
  private applied = new Map<string, string>();
  private readonly baseline = new Map<string, string>();
  private stalled: NodeJS.Timeout | null = null;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.tasks.push({ kind: 'message', handlerId, message, onData, resolve, reject });
      void this.run();
    });
  }

  getQueueLength(): number {
    return this.tasks.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.tasks = this.tasks.filter((task) => {
      if (task.handlerId !== handlerId || task.kind !== 'message') return true;
      task.reject(new Error('connection closed'));
      return false;
    });
  }

  /** The connection is gone: its open transaction is rolled back and the session passes on. */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.tasks.push({ kind: 'close', handlerId, resolve, reject });
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const index = this.tasks.findIndex((t) => t.kind === 'close' || this.owner === null || t.handlerId === this.owner);
        if (index < 0) {
          this.watch();
          break;
        }
        const task = this.tasks.splice(index, 1)[0]!;
        try {
          if (task.kind === 'close') {
            await this.close(task.handlerId);
            task.resolve();
          } else task.resolve(await this.execute(task));
        } catch (error) {
          task.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Says so when one connection holds the session in a transaction for long while others wait: they may wait for ever. */
  private watch(): void {
    if (this.stalled || this.owner === null) return;
    const owner = this.owner;
    this.stalled = setTimeout(() => {
      this.stalled = null;
      const waiting = new Set(this.tasks.filter((t) => t.handlerId !== owner).map((t) => t.handlerId)).size;
      if (this.owner === owner && waiting > 0) {
        console.warn(`PGlite test server: one connection has held the session for ${STALL_MS / 1000} s while other connections wait (${waiting}); on PGlite transactions run one after the other, so one that waits for another connection never ends`);
      }
    }, STALL_MS);
    this.stalled.unref();
  }

  private async execute(task: Extract<Task, { kind: 'message' }>): Promise<number> {
    const { handlerId, message } = task;
    if (isStartup(message)) this.settings.set(handlerId, startupSettings(message));
    // Terminate (X): the connection ends; it is not the session's end, so it never reaches PGlite.
    else if (message[0] === 0x58) {
      await this.close(handlerId);
      return 0;
    }
    if (this.owner === null) {
      await this.apply(this.settings.get(handlerId) ?? new Map());
      this.owner = handlerId;
    }
    const replies = new ReplyScanner();
    let bytes = 0;
    await this.db.runExclusive(() =>
      this.db.execProtocolRawStream(message, {
        onRawData: (data) => {
          bytes += data.length;
          replies.scan(data);
          task.onData(data);
        },
      }),
    );
    if (replies.status === 'I') this.owner = null;
    return bytes;
  }

  private async close(handlerId: number): Promise<void> {
    this.settings.delete(handlerId);
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.owner = null;
  }

  /** Puts `wanted` in force in the session, and what the session had before for the settings it no longer wants. */
  private async apply(wanted: Map<string, string>): Promise<void> {
    const names = new Set([...this.applied.keys(), ...wanted.keys()]);
    if (names.size === 0 || (wanted.size === this.applied.size && [...wanted].every(([n, v]) => this.applied.get(n) === v))) return;
    for (const name of wanted.keys()) {
      if (this.baseline.has(name) || this.applied.has(name)) continue;
      const row = (await this.db.query<{ value: string }>('SELECT current_setting($1) AS value', [name])).rows[0]!;
      this.baseline.set(name, row.value);
    }
    for (const name of names) await this.db.query('SELECT set_config($1, $2, false)', [name, wanted.get(name) ?? this.baseline.get(name)!]);
    this.applied = new Map(wanted);
  }
}

/** The running PGlite, and how many test files still use it. */
let pglite: { url: Promise<string>; stop: () => Promise<void>; users: number } | null = null;

/** The URL of the in-process PGlite, started on first use and stopped after the last test file using it. */
async function usePglite(): Promise<string> {
  if (!pglite) {
    let stop = async (): Promise<void> => undefined;
    const url = (async () => {
      const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-socket')]);
      const db = await PGlite.create();
      const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: PGLITE_CONNECTIONS });
      const internals = server as unknown as { queryQueue?: Partial<MessageQueue> };
      if (typeof internals.queryQueue?.enqueue !== 'function') throw new Error('PGlite test server: this @electric-sql/pglite-socket has no queryQueue to replace; check its version');
      internals.queryQueue = new SessionQueue(db);
      await server.start();
      stop = async () => {
        await server.stop();
        await db.close();
      };
      return `postgres://postgres@${server.getServerConn()}/postgres`;
    })();
    pglite = { url, stop: () => stop(), users: 0 };
  }
  const running = pglite;
  running.users += 1;
  afterAll(async () => {
    running.users -= 1;
    if (running.users > 0) return;
    if (pglite === running) pglite = null;
    await running.stop();
  });
  return running.url;
}
