/**
 * One log line per finished HTTP request: method, path (never the query, which can carry signatures; conversation
 * ids, which open a transcript, replaced by ":id"), status and time.
 */
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.ts';
import { currentRequestId } from './request-context.ts';

/** Failures at warn (4xx) or error (5xx); other reads (probes, assets, history polls) at debug; the rest at info. */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const requestId = currentRequestId();
    const path = req.path.replace(/\/conversations\/[^/]+/, '/conversations/:id');
    res.on('finish', () => {
      const status = res.statusCode;
      const read = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : read ? 'debug' : 'info';
      logger[level]({ requestId, method: req.method, path, status, ms: Math.round(performance.now() - started) }, 'request');
    });
    next();
  };
}
