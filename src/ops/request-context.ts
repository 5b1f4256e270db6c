/**
 * Request ids: each HTTP request, widget socket frame and polled update runs with an id that every log
 * line written on its behalf carries (`requestId`), so a message can be followed from channel to reply.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** What an incoming X-Request-Id must look like to be kept (a proxy's id, a UUID); anything else is replaced. */
const WELL_FORMED = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,99}$/;

const context = new AsyncLocalStorage<{ requestId: string }>();

/** The id of the request being handled, if any. */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}

/** Runs `fn` with a fresh request id, or within the current one when there is one already. */
export function withRequestId<T>(fn: () => T): T {
  return context.getStore() ? fn() : context.run({ requestId: randomUUID() }, fn);
}

/** The incoming id when it is well-formed, else a new one. */
export function acceptRequestId(incoming: string | undefined): string {
  return incoming !== undefined && WELL_FORMED.test(incoming) ? incoming : randomUUID();
}

/** Express middleware: gives each request its id (returned as X-Request-Id) and runs the rest of it within that id. */
export function requestIds(): RequestHandler {
  return (req, res, next) => {
    const requestId = acceptRequestId(req.get(REQUEST_ID_HEADER));
    res.setHeader(REQUEST_ID_HEADER, requestId);
    context.run({ requestId }, next);
  };
}
