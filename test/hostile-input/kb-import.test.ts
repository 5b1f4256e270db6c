/** `huiying kb import` given broken spreadsheets: a message naming the file (and line), exit code 1, no crash. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblem, KnowledgeError } from '../../src/knowledge/knowledge-error.ts';
import { importSpreadsheet } from '../../src/knowledge/spreadsheet-import.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'huiying-kb-hostile-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command line; resolves with its exit code and output either way. */
async function kbImport(file: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('node', ['bin/huiying.js', 'kb', 'import', file, '--out', join(dir, 'out')], { timeout: 60_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

/** What the command prints for a file importSpreadsheet refuses. */
async function refusal(path: string): Promise<string> {
  try {
    await importSpreadsheet(path, join(dir, 'out'));
  } catch (err) {
    expect(err).toBeInstanceOf(KnowledgeError);
    return (err as KnowledgeError).problems.map(formatProblem).join('\n');
  }
  throw new Error(`${path} was imported`);
}

describe('huiying kb import: broken files', () => {
  it.each([
    ['an unterminated quote', 'bad-quote.csv', '问题,答案,部门\n居住证怎么办,"去派出所,public-security\n护照,出入境,public-security\n', /bad-quote\.csv:\d+:.*not a valid CSV/],
    ['GBK bytes', 'gbk.csv', Buffer.concat([Buffer.from('问题,答案,部门\n'), Buffer.from([0xbe, 0xd3, 0xd7, 0xa1, 0xd6, 0xa4]), Buffer.from(',a,b\n')]), /gbk\.csv:2:.*not UTF-8/],
    ['no header it knows', 'no-header.csv', 'foo,bar\n1,2\n', /no-header\.csv:1:.*missing column/],
    ['an empty file', 'empty.csv', '', /empty\.csv:1:.*empty/],
    ['text named .xlsx', 'text.xlsx', '问题,答案\n', /text\.xlsx:.*not a readable \.xlsx/],
  ])('reports %s with the file (and line)', async (_name, name, content, expected) => {
    expect(await refusal(file(name, content))).toMatch(expected);
  });

  it('prints the problem and exits 1 from the command line, without a stack trace', async () => {
    const { code, out } = await kbImport(file('broken.xlsx', Buffer.from('PK\u0003\u0004 this is not really a zip file')));
    expect(code).toBe(1);
    expect(out).toMatch(/broken\.xlsx:.*not a readable \.xlsx/);
    expect(out).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('skips hostile rows with their line numbers and imports the rest as plain text', async () => {
    const csv = [
      '问题,答案,部门,链接',
      '"<script>alert(1)</script>居住证怎么办","到派出所办理。<img src=x onerror=alert(1)>",public-security,',
      "\"'; DROP TABLE x; --\",,public-security,",
      '护照怎么办,出入境窗口办理,public-security,javascript:alert(1)',
    ].join('\n');
    const { code, out } = await kbImport(file('hostile-rows.csv', csv));
    expect(code).toBe(0);
    expect(out).toMatch(/hostile-rows\.csv:3:.*answer/);
    expect(out).toMatch(/hostile-rows\.csv:4:.*link.*not a web address/);
    expect(out).toMatch(/wrote .*imported-public-security\.yaml: 1 entries/);
  });
});
