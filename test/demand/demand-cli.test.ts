import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { analyzeDemand } from '../../src/cli/demand-analyze.ts';
import { DemandInputError, readDemandFile } from '../../src/demand/demand-input.ts';
import { HOUSING_FUND, NIGHT_NOISE, NOISE } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'huiying-demand-'));
const write = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const jsonl = (texts: readonly string[]): string => texts.map((text, i) => JSON.stringify({ text, time: `2025-03-0${1 + (i % 9)}T10:00:00Z`, channel: 'hotline' })).join('\n');

interface JsonOutput {
  topics: Array<{ id: string; label: string; keywords: string[]; kind: string; size: number; members: number[] }>;
}

describe('huiying demand analyze', () => {
  it('prints one JSON object with the topics and their members as 0-based input lines', async () => {
    const texts = [...HOUSING_FUND, ...NOISE, ...NIGHT_NOISE];
    const file = write('messages.jsonl', `${jsonl(texts.slice(0, 5))}\n\n${jsonl(texts.slice(5))}\n`);
    const out = JSON.parse(await analyzeDemand({ input: file, json: true })) as JsonOutput;
    expect(out.topics).toHaveLength(2);
    for (const t of out.topics) {
      expect(t).toEqual(expect.objectContaining({ id: expect.stringMatching(/^t-[0-9a-f]{10}$/), label: expect.any(String), size: t.members.length }));
      expect(t.keywords.length).toBeGreaterThan(0);
      expect(['咨询', '投诉/求助', '建言']).toContain(t.kind);
    }
    const fund = out.topics.find((t) => t.members.includes(0))!;
    expect(fund.members).toEqual([0, 1, 2, 3, 4]);
    const noise = out.topics.find((t) => t !== fund)!;
    expect(noise.members).toEqual([11, 12, 13, 14, 15]);
  });

  it('prints readable topics by default', async () => {
    const file = write('plain.txt', [...HOUSING_FUND, ...NOISE].join('\n'));
    const text = await analyzeDemand({ input: file });
    expect(text).toContain('1 topics holding 5');
    expect(text).toMatch(/公积金/);
    expect(text).toContain('lines: 0, 1, 2, 3, 4');
  });

  it('keeps ids across runs with --state', async () => {
    const state = join(dir, 'state.json');
    const first = JSON.parse(await analyzeDemand({ input: write('a.jsonl', jsonl([...HOUSING_FUND, ...NOISE])), json: true, state })) as JsonOutput;
    const second = JSON.parse(
      await analyzeDemand({ input: write('b.jsonl', jsonl([...NIGHT_NOISE, ...HOUSING_FUND, '公积金提取多久到账'])), json: true, state }),
    ) as JsonOutput;
    expect(second.topics.find((t) => t.members.includes(5))!.id).toBe(first.topics[0]!.id);
  });

  it('reads long hotline messages from CSV (text column by header, quoted line breaks) with line numbers', async () => {
    const rows = [...NIGHT_NOISE, ...NOISE].map((t, i) => `${i + 1},"2025/3/${1 + i} 09:30","${i === 3 ? t.replace('，', '，\n') : t}",电话`);
    const file = write('hotline.csv', `\uFEFF工单编号,来电时间,诉求内容,来源渠道\n${rows.join('\n')}\n`);
    const input = await readDemandFile(file);
    expect(input.textColumn).toBe('诉求内容');
    expect(input.messages).toHaveLength(10);
    expect(input.lines.slice(0, 6)).toEqual([1, 2, 3, 4, 6, 7]);
    expect(input.messages[0]!.channel).toBe('电话');
    expect(input.messages[0]!.time?.getDate()).toBe(1);
    const out = JSON.parse(await analyzeDemand({ input: file, json: true })) as JsonOutput;
    expect(out.topics[0]!.members).toEqual([1, 2, 3, 4, 6]);
  });

  it('reads XLSX and picks the longest-text column when no header is known', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('工单');
    sheet.addRow(['序号', '摘要', '详情']);
    [...HOUSING_FUND, ...NOISE].forEach((t, i) => sheet.addRow([i + 1, '诉求', t]));
    const file = join(dir, 'sheet.xlsx');
    await workbook.xlsx.writeFile(file);
    const input = await readDemandFile(file);
    expect(input.textColumn).toBe('详情');
    expect(input.messages[0]!.text).toBe(HOUSING_FUND[0]);
    const out = JSON.parse(await analyzeDemand({ input: file, json: true })) as JsonOutput;
    expect(out.topics[0]!.members).toEqual([1, 2, 3, 4, 5]);
  });

  it('rejects bad input with the file and line', async () => {
    const badJson = write('bad.jsonl', `{"text": "公积金怎么提取"}\n{"text": "护照怎么办"}\n{"text": "oops"\n`);
    await expect(analyzeDemand({ input: badJson })).rejects.toThrow(`${badJson}:3: not valid JSON`);
    const noText = write('notext.jsonl', `{"text": "a"}\n{"body2": 1}\n`);
    await expect(readDemandFile(noText)).rejects.toThrow(`${noText}:2: no "text" field`);
    const badTime = write('badtime.csv', `内容,时间\n公积金怎么提取,2025-01-01\n护照怎么办,not a date\n`);
    await expect(readDemandFile(badTime)).rejects.toThrow(`${badTime}:3: the time "not a date" is not a date`);
    const gbk = join(dir, 'gbk.csv');
    writeFileSync(gbk, Buffer.from([0x6e, 0x0a, 0xc4, 0xda, 0xc8, 0xdd, 0x0a]));
    await expect(readDemandFile(gbk)).rejects.toThrow(`${gbk}:2: not UTF-8`);
    await expect(readDemandFile(join(dir, 'missing.jsonl'))).rejects.toBeInstanceOf(DemandInputError);
    await expect(analyzeDemand({ input: write('empty.jsonl', '\n\n') })).rejects.toThrow('no messages found');
  });

  it('exits with status 1 and names the file and line on the command line', async () => {
    const badJson = write('bad-cli.jsonl', `{"text": "公积金怎么提取"}\nnot json\n`);
    const run = promisify(execFile)(process.execPath, ['bin/huiying.js', 'demand', 'analyze', '--input', badJson, '--json']);
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining(`${badJson}:2: not valid JSON`) });
  });
});
