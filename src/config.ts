/** Configuration from the environment (and a .env file), validated at start. */
import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1).default('data/huiying.db'),
  KNOWLEDGE_DIR: z.string().min(1).default('knowledge'),
  INTENTS_DIR: z.string().min(1).default('intents'),
  MODEL_CACHE_DIR: z.string().min(1).default('data/models'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_MESSAGE_LENGTH: z.coerce.number().int().min(1).max(100_000).default(2000),
  NODE_ENV: z.string().default('development'),
  /** After unanswered questions: `offer` a person (default), or `escalate` after ESCALATION_AFTER_MISSES in a row. */
  ESCALATION_POLICY: z.enum(['offer', 'escalate']).default('offer'),
  ESCALATION_AFTER_MISSES: z.coerce.number().int().min(1).max(20).default(2),
  /**
   * Base64 key (32 bytes) that seals the original text of messages containing personal data, readable only
   * by the staff member holding the case. Absent: a key file beside the database is created (required in production).
   */
  DATA_KEY: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64 (openssl rand -base64 32)').optional(),
  /** Express "trust proxy" setting for deployments behind a reverse proxy (e.g. 1, or loopback). */
  TRUST_PROXY: z.string().default('false'),
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Days after which conversation text is deleted or anonymised (0 keeps everything). */
  RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(0),
  /** `anonymise` (default: text replaced, demand signals kept masked) or `delete` (rows removed). */
  RETENTION_MODE: z.enum(['anonymise', 'delete']).default('anonymise'),
  /** How long a shutdown waits for requests in flight before it closes their connections. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
});

export type Config = z.infer<typeof schema>;

/** Thrown for a bad setting; the message names the variable and what is wrong. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = parseEnv(schema, env);
  if (config.NODE_ENV === 'production' && !config.DATA_KEY) {
    throw new ConfigError('invalid configuration:\n  DATA_KEY is required when NODE_ENV=production (generate one with: openssl rand -base64 32)');
  }
  return config;
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
