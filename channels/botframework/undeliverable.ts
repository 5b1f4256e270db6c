/** How a connector error is reported to the outbox and to staff. */
import type { DeliveryResult } from '../../src/core/delivery.ts';

/** A connector error as staff see it: 403 means the user blocked or removed the bot. */
export function undeliverable(err: unknown): DeliveryResult {
  const status = (err as { statusCode?: unknown }).statusCode;
  const detail = status === undefined ? (err as Error).message : `${String(status)} ${(err as Error).message}`;
  return { status: 'undeliverable', reason: status === 403 ? 'blocked' : 'failed', detail };
}
