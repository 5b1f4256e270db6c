/** `/readyz` (readiness) and `/metrics` (Prometheus, optionally behind a bearer token). */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { Metrics } from './metrics.ts';
import type { Readiness } from './readiness.ts';

export interface OpsRouteDeps {
  readiness: () => Promise<Readiness>;
  metrics?: Metrics;
  /** When set, /metrics answers only requests with `Authorization: Bearer <token>`. */
  metricsToken?: string;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Compares in constant time (hashes first, so the lengths match). */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return false;
  return timingSafeEqual(digest(match[1]), digest(token));
}

export function opsRouter(deps: OpsRouteDeps): Router {
  const router = Router();
  router.get('/readyz', async (_req, res) => {
    const result = await deps.readiness();
    res.set('Cache-Control', 'no-store');
    res.status(result.ready ? 200 : 503).json({ status: result.ready ? 'ready' : 'not_ready', ...result });
  });
  const metrics = deps.metrics;
  if (metrics) {
    router.get('/metrics', async (req, res, next) => {
      if (deps.metricsToken && !tokenMatches(req.get('authorization'), deps.metricsToken)) {
        res.set('WWW-Authenticate', 'Bearer realm="metrics"');
        res.status(401).json({ error: 'unauthorized', message: 'metrics need Authorization: Bearer <METRICS_TOKEN>' });
        return;
      }
      try {
        const { contentType, body } = await metrics.render();
        res.set('Cache-Control', 'no-store');
        res.type(contentType).send(body);
      } catch (err) {
        next(err);
      }
    });
  }
  return router;
}
