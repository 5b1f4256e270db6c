/**
 * Serves the staff console at `/console`. The console's source (`console/`, Preact + TSX) is bundled in
 * memory with esbuild the first time it is asked for, so `npm ci && npm start` needs no build step.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { Router, type Response } from 'express';

const CONSOLE_DIR = new URL('../../console/', import.meta.url);

interface Bundle {
  js: string;
  css: string;
  etag: string;
}

let building: Promise<Bundle> | undefined;

/** Bundles `console/src/main.tsx` (and the CSS it imports) once per process. */
export function buildConsole(): Promise<Bundle> {
  building ??= (async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [fileURLToPath(new URL('src/main.tsx', CONSOLE_DIR))],
      bundle: true,
      write: false,
      outdir: 'out',
      format: 'esm',
      target: 'es2020',
      minify: true,
      jsx: 'automatic',
      jsxImportSource: 'preact',
      legalComments: 'none',
      logLevel: 'silent',
    });
    let js = '';
    let css = '';
    for (const file of result.outputFiles) {
      if (file.path.endsWith('.js')) js = file.text;
      else if (file.path.endsWith('.css')) css = file.text;
    }
    return { js, css, etag: `"${createHash('sha256').update(js).update(css).digest('base64url').slice(0, 20)}"` };
  })();
  building.catch(() => {
    building = undefined;
  });
  return building;
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

function send(res: Response, type: string, body: string, etag?: string): void {
  res.set(SECURITY_HEADERS);
  res.type(type);
  if (etag) res.set('ETag', etag);
  res.send(body);
}

/** The router to mount at `/console`: the page, its script and its stylesheet. */
export function consoleRouter(): Router {
  const router = Router();
  const html = readFileSync(new URL('index.html', CONSOLE_DIR), 'utf8');
  // Start bundling now so the first visitor does not wait.
  buildConsole().catch(() => undefined);

  router.get('/', (_req, res) => {
    // `/console` → `/console/` keeps relative URLs simple; the page itself uses absolute ones anyway.
    send(res, 'html', html);
  });
  router.get('/app.js', async (req, res, next) => {
    try {
      const bundle = await buildConsole();
      if (req.get('if-none-match') === bundle.etag) {
        res.status(304).end();
        return;
      }
      send(res, 'application/javascript; charset=utf-8', bundle.js, bundle.etag);
    } catch (err) {
      next(err);
    }
  });
  router.get('/app.css', async (req, res, next) => {
    try {
      const bundle = await buildConsole();
      send(res, 'text/css; charset=utf-8', bundle.css, bundle.etag);
    } catch (err) {
      next(err);
    }
  });
  return router;
}
