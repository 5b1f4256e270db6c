/** The express application: JSON API, health check, demo page, and errors that never crash the process. */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { MessageService } from '../core/message-service.ts';
import type { Store } from '../store/store.ts';
import type { Logger } from '../logger.ts';
import type { ChannelAdapter } from './channel-adapter.ts';
import { openApiDocument } from './openapi.ts';
import { earlyLoginRefusal, staffRouter, type StaffRouteDeps } from './staff-routes.ts';
import { demandRouter, type DemandRouteDeps } from './demand-routes.ts';
import { messagesRouter } from './messages-route.ts';
import { consoleRouter } from './console-route.ts';
import { opsRouter, type OpsRouteDeps } from '../ops/ops-routes.ts';
import { securityHeaders } from '../ops/security-headers.ts';
import { accessLog } from '../ops/access-log.ts';
import { trustProxyValue, type CitizenRateLimits } from '../ops/rate-limits.ts';
import { requestIds } from '../ops/request-context.ts';
import { cleanJsonStrings } from './request-parse.ts';

export interface AppDeps {
  service: MessageService;
  store: Store;
  logger: Logger;
  maxMessageLength: number;
  /** Messages a minute per client address and per conversation; absent, nothing is limited. */
  limits?: CitizenRateLimits;
  channels?: readonly ChannelAdapter[];
  /** Express "trust proxy" value ("false", "true", a hop count or addresses). */
  trustProxy?: string;
  /** The staff API; absent in tools that serve citizens only. */
  staff?: Omit<StaffRouteDeps, 'store' | 'service'> & Pick<DemandRouteDeps, 'counting' | 'reloadHere' | 'announceReload'>;
  /** Readiness and Prometheus metrics (`/readyz`, `/metrics`). */
  ops?: OpsRouteDeps;
  /** PUBLIC_URL, for the Content-Security-Policy. */
  publicUrl?: string;
}

/** The largest request body any endpoint reads (JSON here, XML on the WeChat callback); larger ones get 413. */
export const BODY_LIMIT = '64kb';

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETag (a hash of every body) on API answers: nothing revalidates them. Static files set their own.
  app.set('etag', false);
  app.set('trust proxy', trustProxyValue(deps.trustProxy));
  if (deps.staff) app.post('/api/v1/staff/login', earlyLoginRefusal(deps.staff.auth, deps.staff.refusalDelay));
  app.use(requestIds());
  app.use(accessLog(deps.logger));
  app.use(securityHeaders({ publicUrl: deps.publicUrl }));
  app.use(express.json({ limit: BODY_LIMIT }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  if (deps.ops) app.use(opsRouter(deps.ops));
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.use(messagesRouter(deps.service, deps.store, deps.maxMessageLength, deps.limits));
  // Citizens' traffic first: webhooks and the widget do not walk past the staff API's routes on every message.
  for (const channel of deps.channels ?? []) {
    if (!channel.mount) continue;
    const router = express.Router();
    channel.mount(router);
    app.use(`/channels/${channel.name}`, router);
  }
  // Staff input is cleaned as citizens' is (citizens' own text is cleaned in the core, after its original is sealed).
  if (deps.staff) app.use('/api/v1', cleanJsonStrings);
  if (deps.staff) app.use(staffRouter({ ...deps.staff, store: deps.store, service: deps.service }));
  if (deps.staff) app.use(demandRouter({ ...deps.staff, store: deps.store, service: deps.service }));
  if (deps.staff) app.use('/console', consoleRouter());
  for (const channel of deps.channels ?? []) {
    if (!channel.mountRoot) continue;
    const root = express.Router();
    channel.mountRoot(root);
    app.use(root);
  }
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'no such endpoint' });
  });
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) deps.logger.error({ err }, 'request failed');
    const message =
      err.type === 'entity.parse.failed'
        ? 'body is not valid JSON'
        : err.type === 'entity.too.large'
          ? `body is too large (at most ${BODY_LIMIT})`
          : status === 500
            ? 'internal error'
            : err.message;
    const error = status === 500 ? 'internal' : status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
    if (res.headersSent) return;
    res.status(status).json({ error, message });
  });
  return app;
}
