/** Security headers (helmet) on the portal, the console and the API; the widget stays loadable from other sites. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webChannel } from '../../channels/web/index.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ channels: [webChannel] });
});

afterAll(async () => {
  await server?.stop();
});

/** The CSP as a map of directive to sources. */
function csp(header: string | null): Map<string, string[]> {
  expect(header).toBeTruthy();
  return new Map(
    header!
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

const COMMON = {
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
};

describe('security headers', () => {
  it('the demo portal: helmet headers and a CSP without inline scripts', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    for (const [name, value] of Object.entries(COMMON)) expect(res.headers.get(name), name).toBe(value);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(res.headers.get('x-powered-by')).toBeNull();
    const policy = csp(res.headers.get('content-security-policy'));
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('script-src-attr')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'self'"]);
    // No PUBLIC_URL: the page's own origin, which browsers read as its ws: origin too.
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    // The page keeps to that policy: no inline script, no inline event handler.
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).toContain('<script src="/portal.js"');
    const portalJs = await fetch(`${server.url}/portal.js`);
    expect(portalJs.status).toBe(200);
    expect(portalJs.headers.get('content-type')).toContain('javascript');
  });

  it('the console: helmet headers, and its own stricter CSP', async () => {
    const res = await fetch(`${server.url}/console`);
    expect(res.status).toBe(200);
    for (const [name, value] of Object.entries(COMMON)) expect(res.headers.get(name), name).toBe(value);
    const policy = csp(res.headers.get('content-security-policy'));
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('the API and the health checks carry them too', async () => {
    for (const path of ['/healthz', '/readyz', '/api/v1/openapi.json', '/no-such-page']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('content-security-policy'), path).toBeTruthy();
    }
  });

  it('the widget script can be loaded by other sites, and its API answers their CORS requests', async () => {
    const script = await fetch(`${server.url}/widget.js`, { headers: { origin: 'https://portal.example.gov.cn' } });
    expect(script.status).toBe(200);
    expect(script.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(script.headers.get('cross-origin-embedder-policy')).toBeNull();
    const preflight = await fetch(`${server.url}/channels/web/messages`, {
      method: 'OPTIONS',
      headers: { origin: 'https://portal.example.gov.cn', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBeTruthy();
  });
});
