/**
 * Security headers (helmet) for every response, with a Content-Security-Policy for the pages this server
 * serves itself: the demo portal, the widget on it, and the staff console (which sets its own, stricter
 * policy on its responses). No page here needs an inline script, so `script-src 'self'` holds.
 *
 * The widget stays embeddable elsewhere: a CSP only governs the document it comes with, never a script
 * that another site loads with `<script src>`; `/widget.js` answers with `Cross-Origin-Resource-Policy:
 * cross-origin` itself, and the widget's API and WebSocket are CORS-checked by the web channel.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export interface SecurityHeaderOptions {
  /** PUBLIC_URL: the origin browsers reach this server at; its ws:/wss: twin joins `connect-src`. */
  publicUrl?: string;
}

/** HSTS for half a year: what a public service site wants, once a browser reached it over TLS. */
const HSTS = 'max-age=15552000';

/**
 * `connect-src`: the page's own origin, and with PUBLIC_URL its WebSocket origin spelled out (older Safari
 * does not read `'self'` as ws:/wss:). Never built from the request's Host header, which the client chooses.
 */
export function connectSources(publicUrl: string | undefined): string[] {
  if (!publicUrl) return ["'self'"];
  const url = new URL(publicUrl);
  return ["'self'", `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}`];
}

export function securityHeaders(options: SecurityHeaderOptions = {}): RequestHandler[] {
  const headers = helmet({
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
        connectSrc: connectSources(options.publicUrl),
        objectSrc: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
      },
    },
    // Sent below, and only over TLS.
    strictTransportSecurity: false,
    // The widget's links open government pages elsewhere; sending the origin (not the path) is harmless.
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    // Same-origin by default; /widget.js overrides this with `cross-origin` so portals can load it.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
  // HSTS only on a response that travels over TLS: a direct HTTPS connection, or a trusted proxy's
  // X-Forwarded-Proto: https (TRUST_PROXY). Over plain HTTP it would be ignored at best (RFC 6797 §8.1).
  const hsts: RequestHandler = (req, res, next) => {
    if (req.secure) res.setHeader('Strict-Transport-Security', HSTS);
    next();
  };
  return [headers, hsts];
}

/** For tests and docs: the header names every response carries (and Strict-Transport-Security over TLS). */
export const SECURITY_HEADER_NAMES = [
  'content-security-policy',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'cross-origin-opener-policy',
] as const;
