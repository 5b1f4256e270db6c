/** Configuration from the environment (and a .env file), validated at start. */
import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1).default('data/huiying.db'),
  /**
   * PostgreSQL instead of the embedded SQLite file (postgres://user:password@host:5432/db; `?sslmode=require` for
   * TLS): what a deployment of several machines needs. Unset: SQLite at DATABASE_PATH.
   */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL, e.g. postgres://huiying@127.0.0.1:5432/huiying')
    .optional(),
  /** PostgreSQL connections this instance keeps open at most (each instance has its own pool). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
  KNOWLEDGE_DIR: z.string().min(1).default('knowledge'),
  INTENTS_DIR: z.string().min(1).default('intents'),
  MODEL_CACHE_DIR: z.string().min(1).default('data/models'),
  /**
   * Threads that run the engine beside the main thread (HTTP, sockets, the database writer): \`auto\` is one
   * fewer than the CPU cores (at most 4; none on one core), 0 answers on the main thread. Each thread holds
   * its own copy of the model in memory.
   */
  /**
   * Which understanding engine answers: \`v1\` (the trained classifier, minutes per thousand entries) or \`v2\`
   * (retrieval and the shipped decision, seconds for ten thousand entries; issue 15).
   */
  ENGINE: z.enum(['v1', 'v2']).default('v1'),
  /** Engine v2's one dial: above 0 it says "I don't know" more often, below 0 less (-0.5 to 0.5; 0 is as shipped). */
  DECISION_STRICTNESS: z.coerce.number().min(-0.5).max(0.5).default(0),
  ENGINE_THREADS: z.union([z.literal('auto'), z.coerce.number().int().min(0).max(16)]).default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_MESSAGE_LENGTH: z.coerce.number().int().min(1).max(100_000).default(2000),
  /** Citizen messages a minute from one IP address on the HTTP API and the web widget together (0: no limit). */
  RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(60),
  /** Citizen messages a minute in one conversation, on every channel (0: no limit). */
  RATE_LIMIT_CONVERSATION_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(20),
  /** Deprecated name of RATE_LIMIT_IP_PER_MINUTE, read when that one is not set. */
  WEB_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).optional(),
  NODE_ENV: z.string().default('development'),
  /** After unanswered questions: `offer` a person (default), or `escalate` after ESCALATION_AFTER_MISSES in a row. */
  ESCALATION_POLICY: z.enum(['offer', 'escalate']).default('offer'),
  ESCALATION_AFTER_MISSES: z.coerce.number().int().min(1).max(20).default(2),
  /**
   * Base64 key (32 bytes) that seals the original text of messages containing personal data, readable only
   * by the staff member holding the case. Absent: a key file beside the database is created (required in production).
   */
  DATA_KEY: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64 (openssl rand -base64 32)').optional(),
  /**
   * Redis of a deployment of several instances (redis://[user:password@]host:6379[/db], rediss:// for TLS): the
   * live relay between instances, leases of once-per-deployment work, shared rate limits and login throttling.
   * Unset: this instance alone.
   */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379')
    .optional(),
  /** Prefix of this deployment's Redis keys and channels, so that deployments can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, : _ - (at most 64)').default('huiying:'),
  /** This instance's name in logs, leases and Redis client lists (default: host name, process id and a random part). */
  INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)').optional(),
  /** Express "trust proxy" setting for deployments behind a reverse proxy (e.g. 1, or loopback). */
  TRUST_PROXY: z.string().default('false'),
  /** Staff logins waiting for the password-hashing thread; more are refused with 503 and Retry-After. */
  LOGIN_HASH_QUEUE: z.coerce.number().int().min(1).max(100).default(4),
  /** Failed staff logins an hour from one client address, whatever the names; then 429 until the hour is over. */
  LOGIN_ADDRESS_FAILURES_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(20),
  /** Failed logins an hour on one account (browsers without its device cookie) before such logins are slowed (up to a minute apart). */
  LOGIN_ACCOUNT_FAILURES_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(10),
  /** Staff logins without a device cookie checked a minute, all addresses together; more get 503 and Retry-After. */
  LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  /** A refused login (429/503) is answered after its Retry-After, at most this many milliseconds (0: at once), so a client retrying at once is slowed. */
  LOGIN_REFUSAL_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** `true` lets a production server serve /metrics without METRICS_TOKEN (the proxy keeps it from outside). */
  METRICS_PUBLIC: z.enum(['true', 'false']).default('false'),
  /**
   * The origin citizens and staff reach this server at (e.g. https://bot.example.gov.cn): the widget's
   * WebSocket source in the Content-Security-Policy. Never taken from a request's Host header.
   */
  PUBLIC_URL: z
    .string()
    .refine(isOrigin, 'must be an http(s) origin such as https://bot.example.gov.cn (no path, query or credentials)')
    .transform((url) => new URL(url).origin)
    .optional(),
  /** Days after which conversation text is deleted or anonymised (0 keeps everything). */
  RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(0),
  /** `anonymise` (default: text replaced, demand signals kept masked) or `delete` (rows removed). */
  RETENTION_MODE: z.enum(['anonymise', 'delete']).default('anonymise'),
  /**
   * Demand log: the same masked text from one conversation or client address within this many hours counts once,
   * and floods are looked for within it.
   */
  DEMAND_DEDUP_HOURS: z.coerce.number().int().min(1).max(720).default(24),
  /** Demand log: this many near-identical texts (digits and punctuation aside) from one address or conversation within the window are a flood, left out of the topics. */
  DEMAND_FLOOD_MESSAGES: z.coerce.number().int().min(2).max(100_000).default(10),
  /**
   * Supervisors and administrators must log in with a second factor (TOTP): after the password, one without
   * it yet can only set it up. Default: true when NODE_ENV=production, else false. Agents may always opt in.
   */
  STAFF_REQUIRE_2FA: z.enum(['true', 'false']).optional(),
  /** How long a shutdown waits for requests in flight before it closes their connections. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
});

export type Config = Omit<z.infer<typeof schema>, 'STAFF_REQUIRE_2FA'> & { STAFF_REQUIRE_2FA: boolean };

/** Thrown for a bad setting; the message names the variable and what is wrong. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = parseEnv(schema, env);
  const config: Config = { ...parsed, STAFF_REQUIRE_2FA: parsed.STAFF_REQUIRE_2FA === undefined ? parsed.NODE_ENV === 'production' : parsed.STAFF_REQUIRE_2FA === 'true' };
  if (!env.RATE_LIMIT_IP_PER_MINUTE && config.WEB_RATE_LIMIT_PER_MINUTE !== undefined) config.RATE_LIMIT_IP_PER_MINUTE = config.WEB_RATE_LIMIT_PER_MINUTE;
  if (config.NODE_ENV === 'production' && !config.DATA_KEY) {
    throw new ConfigError('invalid configuration:\n  DATA_KEY is required when NODE_ENV=production (generate one with: openssl rand -base64 32)');
  }
  if (config.NODE_ENV === 'production') {
    const problems = [
      ['DATA_KEY', weakSecretReason(config.DATA_KEY ?? '', 0)],
      ['METRICS_TOKEN', config.METRICS_TOKEN === undefined ? null : weakSecretReason(config.METRICS_TOKEN, 16)],
      ['METRICS_TOKEN', config.METRICS_TOKEN === undefined && config.METRICS_PUBLIC !== 'true' ? OPEN_METRICS : null],
    ].filter((p): p is [string, string] => p[1] !== null);
    if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.map(([name, reason]) => `  ${name}: ${reason}`).join('\n')}`);
  }
  return config;
}

const OPEN_METRICS =
  'is required when NODE_ENV=production, or /metrics is open to anyone who reaches the server (openssl rand -hex 24); ' +
  'set METRICS_PUBLIC=true instead only when the proxy keeps /metrics from outside';

/** An http(s) URL that is only an origin: scheme, host and optional port (a trailing slash is allowed). */
function isOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && url.pathname === '/' && !url.search && !url.hash;
}

/** Parts of values that only placeholders and examples contain (compared lower-case, letters and digits only). */
const PLACEHOLDERS = ['changeme', 'replaceme', 'example', 'placeholder', 'yoursecret', 'yourtoken', 'secret', 'password', 'passw0rd', 'token', 'default', 'sample', 'dummy', 'xxxxxx', '0123456789', '123456', 'abcdef', 'qwerty'];

/**
 * Why `value` cannot be a production secret, or null when it can: a placeholder or example (the values in
 * `.env.example` and the platforms' documentation), one repeated character, or shorter than `minLength`.
 */
export function weakSecretReason(value: string, minLength: number): string | null {
  const letters = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  const hit = PLACEHOLDERS.find((p) => letters.includes(p));
  if (hit) return `looks like a placeholder or example value (contains "${hit}"); generate a random one (openssl rand -hex 24)`;
  if (value.length > 0 && new Set(value).size <= 2) return 'is one repeated character; generate a random one (openssl rand -hex 24)';
  if (value.length < minLength) return `is too short for production (at least ${minLength} characters); generate a random one (openssl rand -hex 24)`;
  return null;
}

/**
 * For a channel's schema (with NODE_ENV in it): in production, an issue for each secret that is missing or weak
 * (`weakSecretReason`). `secrets` maps variable names to their minimum length; absent ones are required.
 */
export function checkProductionSecrets(
  env: Record<string, unknown>,
  ctx: z.RefinementCtx,
  secrets: Record<string, number>,
): void {
  if (env.NODE_ENV !== 'production') return;
  for (const [name, minLength] of Object.entries(secrets)) {
    const value = env[name];
    const reason = typeof value === 'string' && value !== '' ? weakSecretReason(value, minLength) : 'is required when NODE_ENV=production';
    if (reason) ctx.addIssue({ code: 'custom', path: [name], message: reason });
  }
}

/** Validates one channel's variables with its own schema; errors name the variable, like loadConfig. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
