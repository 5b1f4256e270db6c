/** Administrators add and rename departments; the change lands in departments.yaml and the running server uses it. */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, login } from './support/staff-client.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

let server: TestServer;
const knowledge = mkdtempSync(join(tmpdir(), 'huiying-departments-kb-'));

beforeAll(async () => {
  cpSync('knowledge', knowledge, { recursive: true });
  server = await startTestServer({ config: { KNOWLEDGE_DIR: knowledge } });
  await createStaff(server.store, 'root', 'admin', []);
  await createStaff(server.store, 'desk', 'agent', ['taxation']);
});

afterAll(async () => {
  await server?.stop();
  rmSync(knowledge, { recursive: true, force: true });
});

describe('departments', () => {
  it('lets an administrator add a department, which becomes a queue staff can be assigned to', async () => {
    const root = await login(server.url, 'root');
    const added = await root.post('/api/v1/departments', { id: 'urban-management', name: { zh: '市城市管理局', en: 'Urban Management Bureau' } });
    expect(added.status).toBe(201);
    expect(added.body.departments.map((d: { id: string }) => d.id)).toContain('urban-management');
    const file = readFileSync(join(knowledge, 'departments.yaml'), 'utf8');
    expect(file).toContain('urban-management');
    expect(file).toContain('# Departments that knowledge-base entries belong to');
    const staff = await root.post('/api/v1/staff', { name: 'chengguan', displayName: '城管值班', role: 'agent', departments: ['urban-management'], password: 'long-enough-password' });
    expect(staff.status).toBe(201);
    expect((await root.post('/api/v1/departments', { id: 'urban-management', name: { zh: '重复' } })).status).toBe(409);
  }, 120_000);

  it('renames a department without changing its id', async () => {
    const root = await login(server.url, 'root');
    const tooShort = await root.post('/api/v1/departments', { id: 'x', name: { zh: 'y' } });
    expect(tooShort.status).toBe(400);
    const res = await fetch(`${server.url}/api/v1/departments/taxation`, {
      method: 'PATCH',
      headers: { cookie: root.cookie, 'x-csrf-token': root.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ name: { zh: '国家税务总局本市税务局', en: 'Tax Service' } }),
    });
    expect(res.status).toBe(200);
    const list = (await res.json()) as { departments: Array<{ id: string; name: { zh?: string } }> };
    expect(list.departments.find((d) => d.id === 'taxation')?.name.zh).toBe('国家税务总局本市税务局');
  }, 120_000);

  it('keeps agents away from department management', async () => {
    const desk = await login(server.url, 'desk');
    expect((await desk.post('/api/v1/departments', { id: 'sneaky-dept', name: { zh: '无' } })).status).toBe(403);
  });
});
