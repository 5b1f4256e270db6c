/**
 * Readiness (`/readyz`): the server can take traffic when its database accepts writes and a model is loaded,
 * and it is not shutting down. `/healthz` stays a plain liveness check.
 */
import type { MessageService } from '../core/message-service.ts';
import type { CoreStore } from '../core/ports.ts';

export interface ReadinessDeps {
  store: Pick<CoreStore, 'writeProblem'>;
  service: MessageService;
  /** True once a shutdown has begun: load balancers should stop sending requests. */
  draining?: () => boolean;
  /** Why what the instances share (Redis) cannot be reached, or null; absent for a single instance. */
  cluster?: () => string | null;
}

export interface Readiness {
  ready: boolean;
  /** Why not, in words (absent when ready). */
  reason?: string;
  checks: { database: string; model: string; shutdown: string; cluster?: string };
}

export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  let database = 'ok';
  try {
    database = (await deps.store.writeProblem()) ?? 'ok';
  } catch (err) {
    database = `database check failed: ${(err as Error).message}`;
  }
  let model = 'ok';
  try {
    if (deps.service.knowledgeBase.entries.length === 0) model = 'the knowledge base has no entries';
  } catch (err) {
    model = `model check failed: ${(err as Error).message}`;
  }
  const shutdown = deps.draining?.() ? 'shutting down' : 'ok';
  const cluster = deps.cluster ? (deps.cluster() ?? 'ok') : undefined;
  const problems = [database, model, shutdown, cluster ?? 'ok'].filter((c) => c !== 'ok');
  return {
    ready: problems.length === 0,
    ...(problems.length ? { reason: problems.join('; ') } : {}),
    checks: { database, model, shutdown, ...(cluster ? { cluster } : {}) },
  };
}
