/**
 * Holds the answer to a refused login before sending it (a tarpit), for as long as the client must wait anyway
 * (its Retry-After) up to a cap: a client that retries as soon as it is answered gets its refusals no faster
 * than one per wait per connection, so a flood of refused logins costs the server few requests a second. At most `maxHeld` answers wait at once; beyond that they go
 * out at once, so holding them can never exhaust memory or sockets.
 */
import type { ServerResponse } from 'node:http';

export class RefusalDelay {
  private held = 0;

  constructor(
    private readonly delayMs: number,
    private readonly maxHeld = 2000,
  ) {}

  /** Answers waiting now. */
  get waiting(): number {
    return this.held;
  }

  /** Calls `answer` after `waitMs` or the cap, the shorter (at once when off or too many wait), unless the client has gone. */
  send(res: ServerResponse, answer: () => void, waitMs = Infinity): void {
    const delayMs = Math.min(waitMs, this.delayMs);
    if (delayMs <= 0 || this.held >= this.maxHeld) {
      answer();
      return;
    }
    this.held++;
    const release = (): void => {
      clearTimeout(timer);
      res.off('close', release);
      this.held--;
    };
    const timer = setTimeout(() => {
      release();
      if (!res.writableEnded && !res.destroyed) answer();
    }, delayMs);
    res.on('close', release);
  }
}
