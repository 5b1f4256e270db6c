/**
 * Strict-Transport-Security only where the response travels over TLS (directly, or per TRUST_PROXY), and
 * the CSP's connect-src from PUBLIC_URL, never from the request's Host header.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type RequestListener } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webChannel } from '../../channels/web/index.ts';
import { loadConfig } from '../../src/config.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/** A GET with headers fetch() would not send (a forged Host), over HTTP or, with `ca`, over HTTPS. */
function get(url: string, headers: Record<string, string> = {}, ca?: string): Promise<Answer> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { headers, ca, servername: 'localhost' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connectSrc(answer: Answer): string[] {
  const policy = String(answer.headers['content-security-policy']);
  const directive = policy.split(';').map((d) => d.trim().split(/\s+/)).find((parts) => parts[0] === 'connect-src');
  return directive?.slice(1) ?? [];
}

describe('over plain HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ channels: [webChannel] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('sends no Strict-Transport-Security, also when a client claims X-Forwarded-Proto: https (no TRUST_PROXY)', async () => {
    for (const path of ['/', '/console', '/api/v1/openapi.json']) {
      const answer = await get(`${server.url}${path}`);
      expect(answer.status, path).toBeLessThan(400);
      expect(answer.headers['strict-transport-security'], path).toBeUndefined();
    }
    const forged = await get(`${server.url}/`, { 'x-forwarded-proto': 'https' });
    expect(forged.headers['strict-transport-security']).toBeUndefined();
  });

  it('never copies the Host header into connect-src', async () => {
    const answer = await get(`${server.url}/`, { host: 'attacker.example:3000' });
    expect(answer.status).toBe(200);
    expect(connectSrc(answer)).toEqual(["'self'"]);
    expect(String(answer.headers['content-security-policy'])).not.toContain('attacker.example');
  });
});

describe('behind a TLS proxy (TRUST_PROXY) with PUBLIC_URL', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ channels: [webChannel], config: { TRUST_PROXY: 'loopback', PUBLIC_URL: 'https://bot.example.gov.cn' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('sends Strict-Transport-Security when the proxy says the request came over HTTPS, not when it says HTTP', async () => {
    const tls = await get(`${server.url}/`, { 'x-forwarded-proto': 'https' });
    expect(tls.headers['strict-transport-security']).toMatch(/^max-age=\d{7,}/);
    const plain = await get(`${server.url}/`, { 'x-forwarded-proto': 'http' });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
  });

  it("connect-src is PUBLIC_URL's WebSocket origin, whatever Host the request names", async () => {
    const answer = await get(`${server.url}/`, { host: 'attacker.example', 'x-forwarded-proto': 'https' });
    expect(connectSrc(answer)).toEqual(["'self'", 'wss://bot.example.gov.cn']);
    expect(String(answer.headers['content-security-policy'])).not.toContain('attacker.example');
  });
});

describe('over direct TLS', () => {
  let server: TestServer;
  let https: HttpsServer;
  let certDir: string;
  let cert: string;
  let url: string;

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'huiying-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'),
    ], { stdio: 'ignore' });
    cert = readFileSync(join(certDir, 'cert.pem'), 'utf8');
    server = await startTestServer({ channels: [webChannel] });
    // The same express application, served over TLS (no TRUST_PROXY: the connection itself is encrypted).
    const app = server.server.listeners('request')[0] as RequestListener;
    https = createHttpsServer({ key: readFileSync(join(certDir, 'key.pem')), cert }, app);
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => https?.close(resolve));
    await server?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('sends Strict-Transport-Security over HTTPS, and the same server does not over HTTP', async () => {
    const tls = await get(`${url}/`, {}, cert);
    expect(tls.status).toBe(200);
    expect(tls.headers['strict-transport-security']).toMatch(/^max-age=\d{7,}/);
    const plain = await get(`${server.url}/`);
    expect(plain.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('PUBLIC_URL', () => {
  it('is an http(s) origin; a path, a query or credentials are refused, naming the variable', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://bot.example.gov.cn/' }).PUBLIC_URL).toBe('https://bot.example.gov.cn');
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:3000' }).PUBLIC_URL).toBe('http://localhost:3000');
    for (const bad of ['bot.example.gov.cn', 'https://bot.example.gov.cn/chat', 'https://bot.example.gov.cn?x=1', 'ftp://bot.example.gov.cn', 'https://u:p@bot.example.gov.cn']) {
      expect(() => loadConfig({ PUBLIC_URL: bad }), bad).toThrow(/PUBLIC_URL=.*must be an http\(s\) origin/);
    }
  });
});
