import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { lintKnowledge } from '../src/cli/kb-lint.ts';
import { importFaqJson } from '../src/knowledge/faq-json-import.ts';
import { KnowledgeError } from '../src/knowledge/knowledge-error.ts';
import { loadKnowledgeBase } from '../src/knowledge/knowledge-loader.ts';
import { departmentsFileSchema } from '../src/knowledge/schema.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'faq-sample.json');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'huiying-faq-json-'));
}

function answerOf(dir: string, id: string): string {
  const entry = loadKnowledgeBase(dir).entries.find((e) => e.id === id);
  expect(entry, `entry ${id}`).toBeDefined();
  return entry!.answer.zh ?? '';
}

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', ['bin/huiying.js', ...args], { env: { ...process.env, LOG_LEVEL: 'silent' } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('importFaqJson', () => {
  it('imports the FAQ into a knowledge folder that loads and passes kb lint, with its departments', () => {
    const out = join(tempDir(), 'kb');
    const result = importFaqJson(FIXTURE, out);

    expect(result.skipped).toEqual([]);
    expect(result.files.map((f) => f.entries).sort()).toEqual([2, 2]);
    expect(result.departments?.added.map((d) => d.name).sort()).toEqual(['臺北市政府交通局', '臺北市政府民政局']);

    const departmentsFile = departmentsFileSchema.safeParse(YAML.parse(readFileSync(join(out, 'departments.yaml'), 'utf8')));
    expect(departmentsFile.success, departmentsFile.error?.message).toBe(true);
    for (const d of departmentsFile.data!.departments) expect(d.id).toMatch(/^[a-z0-9][a-z0-9-]{1,40}$/);

    const kb = loadKnowledgeBase(out);
    expect(kb.entries.map((e) => e.id).sort()).toEqual(['gip-1001', 'gip-1002', 'gip-1003', 'gip-1004']);
    const civil = kb.departments.find((d) => d.name.zh === '臺北市政府民政局');
    const entry = kb.entries.find((e) => e.id === 'gip-1001')!;
    expect(entry.department).toBe(civil?.id);
    expect(entry.title).toEqual({ zh: '如何申請戶籍謄本？' });
    expect(entry.questions).toEqual({ zh: ['如何申請戶籍謄本？'] });
    expect(entry.keywords).toEqual(['戶籍謄本', '申請']);

    const lint = lintKnowledge(out);
    expect(lint.ok).toBe(true);
    expect(lint.lines.at(-1)).toBe('4 entries in 2 departments: OK');
  });

  it('turns HTML answers into text that keeps the links, steps, lists and table rows', () => {
    const out = tempDir();
    importFaqJson(FIXTURE, out);

    expect(answerOf(out, 'gip-1001')).toBe(
      '可臨櫃或線上申請。\n\n' +
        '線上申請請至線上申辦服務 (https://example.gov.taipei/apply)，規費說明見 https://example.gov.taipei/fees 。\n' +
        '週末不受理臨櫃申請。\n\n' +
        '相關表單：申請書\n\n' +
        '電話：1999',
    );
    expect(answerOf(out, 'gip-1002')).toBe(
      '請攜帶下列文件：\n\n1. 國民身分證\n2. 印章或簽名\n3. 遷入地址的證明文件\n\n注意事項：\n\n- 須本人辦理\n- 委託他人須附委託書\n\n電話：02-2720-8889轉1999',
    );
    // The phone number already in the answer is not repeated; entities are decoded.
    expect(answerOf(out, 'gip-1003')).toBe(
      '票價如下表（學生票&敬老票另計）：\n\n票種 | 一段票 | 兩段票\n全票 | 15元 | 30元\n學生票 | 12元 | 24元\n\n洽詢電話1999。',
    );
    expect(answerOf(out, 'gip-1004')).toBe('可以。\n\n1.至便利商店繳納。\n2.使用行動支付繳納。\n\n電話：02-2725-6888');
  });

  it('resolves relative links against --base-url', () => {
    const out = tempDir();
    importFaqJson(FIXTURE, out, { baseUrl: 'https://www.gov.taipei/' });
    expect(answerOf(out, 'gip-1001')).toContain('相關表單：申請書 (https://www.gov.taipei/forms/1001)');
  });

  it('keeps ids and department ids stable and merges into an existing departments.yaml', () => {
    const out = tempDir();
    writeFileSync(
      join(out, 'departments.yaml'),
      '# our departments\ndepartments:\n  - id: transport\n    name: { zh: 臺北市政府交通局, en: Department of Transportation }\n',
    );
    const first = importFaqJson(FIXTURE, out);
    expect(first.files.find((f) => f.department === 'transport')?.entries).toBe(2);
    expect(first.departments?.added).toHaveLength(1);

    const again = importFaqJson(FIXTURE, out, { overwrite: true });
    expect(again.files.map((f) => f.path).sort()).toEqual(first.files.map((f) => f.path).sort());
    expect(again.departments).toBeNull();
    const text = readFileSync(join(out, 'departments.yaml'), 'utf8');
    expect(text).toContain('# our departments');
    expect(YAML.parse(text).departments).toHaveLength(2);
    expect(loadKnowledgeBase(out).entries).toHaveLength(4);
  });

  it('refuses to overwrite an earlier import unless asked to', () => {
    const out = tempDir();
    importFaqJson(FIXTURE, out);
    expect(() => importFaqJson(FIXTURE, out)).toThrow(/already exists: not overwriting/);
  });

  it('skips entries with problems, naming the line and the entry, and imports the rest', () => {
    const dir = tempDir();
    const input = join(dir, 'faq.json');
    writeFileSync(
      input,
      [
        '[',
        '  {"id": "A1", "department": "臺北市政府民政局", "answer": "<p>沒有問題欄</p>"},',
        '  {"id": "A2", "department": "臺北市政府民政局", "question": "空白答案？", "answer": "  <p> </p> "},',
        '  "not an entry",',
        '  {"id": "A4", "department": "臺北市政府民政局", "question": "這題可以匯入嗎？", "answer": "可以。"},',
        '  {"id": "a4", "department": "臺北市政府民政局", "question": "重複的編號？", "answer": "不行。"},',
        '  {"id": "A6", "question": "沒有部門？", "answer": "不行。"}',
        ']',
      ].join('\n'),
    );
    const result = importFaqJson(input, join(dir, 'kb'));

    expect(result.files.map((f) => f.entries)).toEqual([1]);
    expect(result.skipped.map((p) => [p.line, p.entry, p.field])).toEqual([
      [2, 'A1', 'question'],
      [3, 'A2', 'answer'],
      [4, '#3', undefined],
      [6, 'a4', 'id'],
      [7, 'A6', 'department'],
    ]);
    expect(result.skipped.every((p) => p.file === input && p.message.startsWith('entry skipped: '))).toBe(true);
    expect(result.skipped[2]?.message).toContain('found a text');
  });

  it('reports invalid JSON with its line and column, and a file that is not an array', () => {
    const dir = tempDir();
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '[\n  {"question": "缺逗號" "answer": "x"}\n]');
    let error: unknown;
    try {
      importFaqJson(broken, join(dir, 'kb'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KnowledgeError);
    expect((error as KnowledgeError).problems[0]).toMatchObject({ file: broken, line: 2 });
    expect((error as KnowledgeError).message).toMatch(/not valid JSON \(line 2, column 22\)/);

    const object = join(dir, 'object.json');
    writeFileSync(object, '{"entries": []}');
    expect(() => importFaqJson(object, join(dir, 'kb'))).toThrow(/expected a JSON array of FAQ entries.*found an object/);
  });

  it('`huiying kb import` imports a JSON FAQ, and exits with 1 naming the file when nothing is importable', async () => {
    const dir = tempDir();
    const ok = await runCli(['kb', 'import', FIXTURE, '--out', join(dir, 'kb')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('added 2 departments to');
    expect(ok.stdout).toContain('4 entries imported in 2 files, 0 problems reported');

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '[{"department": "臺北市政府民政局", "question": "只有問題"}]');
    const failed = await runCli(['kb', 'import', bad, '--out', join(dir, 'kb2')]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`${bad}:1: entry "#1" field answer: entry skipped: missing`);
    expect(failed.stderr).toContain(`${bad}: nothing imported`);

    mkdirSync(join(dir, 'kb3'));
    const notJson = join(dir, 'notjson.json');
    writeFileSync(notJson, '[{"question": }]');
    const crashed = await runCli(['kb', 'import', notJson, '--out', join(dir, 'kb3')]);
    expect(crashed.code).toBe(1);
    expect(crashed.stderr).toMatch(new RegExp(`${notJson.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: not valid JSON \\(line 1, column 15\\): Unexpected token '}'\n`));
    expect(crashed.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
