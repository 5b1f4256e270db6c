/**
 * The structured JSON logger (pino). Every string logged passes through personal-data masking and secret
 * scrubbing, fields named like secrets (password, token, cookie, …) are redacted, and each line written
 * while a request is handled carries its `requestId`.
 */
import { pino, type Logger } from 'pino';
import { currentRequestId } from './ops/request-context.ts';
import { maskPersonalData } from './privacy/mask.ts';

export type { Logger };

/** Field names whose values are never written. */
const SECRET_FIELD = /pass(word)?|secret|token|cookie|authori[sz]ation|aes.?key|api.?key|^key$|csrf|session/i;

/** Secrets as they appear inside text: URL parameters, bearer tokens, Telegram bot URLs. */
const SECRET_TEXT: Array<[RegExp, string]> = [
  [/\b(access_token|secret|token|password|key|msg_signature|signature)=[^&\s"']+/gi, '$1=[redacted]'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [redacted]'],
  [/\/bot\d+:[A-Za-z0-9_-]+/g, '/bot[redacted]'],
];

/** `text` with personal data masked and secrets in it replaced by `[redacted]`. */
export function scrubLogText(text: string): string {
  let out = maskPersonalData(text);
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  return out;
}

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubLogText(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrubLogText(value.message), stack: value.stack === undefined ? undefined : scrubLogText(value.stack) };
  }
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_FIELD.test(k) && v !== undefined ? '[redacted]' : maskDeep(v, depth + 1)]));
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'huiying' },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, args.map((a) => maskDeep(a)));
      },
    },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}
