/**
 * Security headers (helmet) for every response, with a Content-Security-Policy for the pages this server
 * serves itself: the demo portal, the widget on it, and the staff console (which sets its own, stricter
 * policy on its responses). No page here needs an inline script, so `script-src 'self'` holds.
 *
 * The widget stays embeddable elsewhere: a CSP only governs the document it comes with, never a script
 * that another site loads with `<script src>`; `/widget.js` answers with `Cross-Origin-Resource-Policy:
 * cross-origin` itself, and the widget's API and WebSocket are CORS-checked by the web channel.
 */
import type { Request, RequestHandler } from 'express';
import helmet from 'helmet';

/** The WebSocket origin of this server as the browser sees it (older Safari does not read `'self'` as ws:). */
function socketOrigin(req: Request): string {
  const host = req.get('host');
  if (!host || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) return "'self'";
  return `${req.protocol === 'https' ? 'wss' : 'ws'}://${host}`;
}

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        // The widget styles its shadow root with a <style> element, and the demo portal has inline styles.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", (req) => socketOrigin(req as Request)],
        objectSrc: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
      },
    },
    // Browsers ignore HSTS over plain HTTP; behind a TLS proxy it is what a public service site wants.
    strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
    // The widget's links open government pages elsewhere; sending the origin (not the path) is harmless.
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    // Same-origin by default; /widget.js overrides this with `cross-origin` so portals can load it.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
}

/** For tests and docs: the header names every response carries. */
export const SECURITY_HEADER_NAMES = [
  'content-security-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'cross-origin-opener-policy',
] as const;
