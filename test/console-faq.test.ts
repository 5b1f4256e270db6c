/**
 * "Save as FAQ" from the console's API: a staff reply becomes a draft, an administrator publishes it, and
 * the running bot answers the new question without a restart. Runs on a copy of the sample knowledge base,
 * since publishing writes a file into it.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizen, createStaff, login } from './support/staff-client.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

let server: TestServer;
let knowledgeDir: string;

beforeAll(async () => {
  knowledgeDir = join(mkdtempSync(join(tmpdir(), 'huiying-faq-')), 'knowledge');
  cpSync('knowledge', knowledgeDir, { recursive: true });
  server = await startTestServer({ config: { KNOWLEDGE_DIR: knowledgeDir } });
});

afterAll(async () => {
  await server?.stop();
  if (knowledgeDir) rmSync(join(knowledgeDir, '..'), { recursive: true, force: true });
});

describe('save as FAQ', () => {
  it('turns a staff reply into a draft that an administrator publishes, and the running bot then answers it', { timeout: 240_000 }, async () => {
    await createStaff(server.store, 'faq-admin', 'admin', []);
    const question = '养狗需要办理犬只登记证吗';
    const answer = '需要。在城区饲养犬只，应在取得犬只免疫证明后30日内，到居住地派出所或“云州养犬”小程序办理犬只登记证，每年年检一次。';

    const first = citizen(server.url, 'faq-citizen-0001');
    expect((await first(question)).outcome).toBe('unanswered');
    expect((await first('转人工')).outcome).toBe('escalated');
    const opened = (await server.store.escalations.findOpen('faq-citizen-0001'))!;
    await createStaff(server.store, 'faq-agent', 'agent', [opened.department]);

    const agent = await login(server.url, 'faq-agent');
    expect((await agent.post(`/api/v1/escalations/${opened.id}/claim`)).status).toBe(200);
    expect((await agent.post(`/api/v1/escalations/${opened.id}/messages`, { text: answer })).status).toBe(200);
    const draft = await agent.post('/api/v1/faq-drafts', {
      escalationId: opened.id,
      department: 'public-security',
      title: '犬只登记证办理',
      questions: [question, '犬证在哪里办'],
      answer,
    });
    expect(draft.status).toBe(201);
    expect(draft.body.draft.status).toBe('draft');
    // An agent may write drafts but not publish them.
    expect((await agent.post(`/api/v1/faq-drafts/${draft.body.draft.id}/publish`)).status).toBe(403);

    const admin = await login(server.url, 'faq-admin');
    const waiting = await admin.get('/api/v1/faq-drafts?status=draft');
    expect(waiting.body.drafts.find((d: { id: number }) => d.id === draft.body.draft.id)?.questions).toEqual([question, '犬证在哪里办']);

    const published = await admin.post(`/api/v1/faq-drafts/${draft.body.draft.id}/publish`);
    expect(published.status).toBe(200);
    expect(published.body.draft.status).toBe('published');
    expect(readdirSync(join(knowledgeDir, 'published'))).toContain(`${published.body.entryId}.yaml`);
    expect(existsSync(join('knowledge', 'published'))).toBe(false);

    // The same server, no restart: a new citizen asks and gets the published answer.
    const after = await citizen(server.url, 'faq-citizen-0002')(question);
    expect(after.outcome).toBe('answered');
    expect(after.replies[0]?.text).toContain('犬只登记证');
    expect((await admin.get('/api/v1/faq-drafts?status=draft')).body.drafts).toHaveLength(0);
    const audit = await admin.get('/api/v1/audit');
    expect(audit.body.entries.some((e: { action: string; target: string }) => e.action === 'publish' && e.target === published.body.entryId)).toBe(true);
  });
});
