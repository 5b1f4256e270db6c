import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import YAML from 'yaml';
import { describe, it, expect } from 'vitest';
import { KnowledgeError } from '../src/knowledge/knowledge-error.ts';
import { knowledgeFileSchema } from '../src/knowledge/schema.ts';
import { importSpreadsheet } from '../src/knowledge/spreadsheet-import.ts';

const DEPARTMENTS = join(import.meta.dirname, '..', 'knowledge', 'departments.yaml');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'huiying-import-'));
}

function readKnowledgeFile(path: string) {
  const parsed = knowledgeFileSchema.safeParse(YAML.parse(readFileSync(path, 'utf8')));
  expect(parsed.success, parsed.error?.message).toBe(true);
  return parsed.data!;
}

const CSV = [
  '\uFEFF问题,相似问法,答案,部门',
  '租房可以提取公积金吗,"怎么用公积金付房租',
  '租房提取公积金|Can I use my housing fund to pay rent?","无自有住房的职工可以提取公积金支付房租。',
  '',
  '办理方式：',
  '1. 登录网上服务大厅；',
  '2. 选择“租房提取”。",公积金中心',
  '公积金贷款额度是多少,,,市住房公积金管理中心',
  '结婚登记要带什么,结婚登记材料；婚姻登记需要什么,双方身份证和户口簿。,civil-affairs',
].join('\r\n');

describe('importSpreadsheet', () => {
  it('imports a CSV with Chinese headers, multi-line cells and a department name', async () => {
    const dir = tempDir();
    const out = join(dir, 'kb');
    const input = join(dir, 'faq.csv');
    writeFileSync(input, CSV, 'utf8');
    mkdirSync(out);
    copyFileSync(DEPARTMENTS, join(out, 'departments.yaml'));

    const result = await importSpreadsheet(input, out);

    expect(result.files.map((f) => [f.department, f.entries])).toEqual([
      ['housing-fund', 1],
      ['civil-affairs', 1],
    ]);
    expect(result.skipped).toEqual([{ file: input, line: 8, field: 'answer', message: expect.stringContaining('答案') }]);

    const housing = readKnowledgeFile(join(out, 'imported-housing-fund.yaml'));
    expect(housing.department).toBe('housing-fund');
    const [entry] = housing.entries;
    expect(entry?.id).toBe('housing-fund-1');
    expect(entry?.title).toEqual({ zh: '租房可以提取公积金吗' });
    expect(entry?.questions.zh).toEqual(['租房可以提取公积金吗', '怎么用公积金付房租', '租房提取公积金']);
    expect(entry?.questions.en).toEqual(['Can I use my housing fund to pay rent?']);
    expect(entry?.answer.zh).toBe('无自有住房的职工可以提取公积金支付房租。\n\n办理方式：\n1. 登录网上服务大厅；\n2. 选择“租房提取”。');
    expect(readFileSync(join(out, 'imported-housing-fund.yaml'), 'utf8')).toContain('zh: |');

    const civil = readKnowledgeFile(join(out, 'imported-civil-affairs.yaml'));
    expect(civil.entries[0]?.questions.zh).toEqual(['结婚登记要带什么', '结婚登记材料', '婚姻登记需要什么']);
  });

  it('imports an XLSX with English headers and rich-text, hyperlink and number cells', async () => {
    const dir = tempDir();
    const input = join(dir, 'faq.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('FAQ');
    sheet.addRow(['ID', 'Question', 'Variants', 'Answer', 'Department', 'Materials', 'Link', 'Keywords', 'Question_EN', 'Answer_EN']);
    sheet.addRow([
      'Tax Refund 01',
      { richText: [{ text: '个税退税' }, { font: { bold: true }, text: '怎么办理' }] },
      '个税怎么退\n年度汇算退税',
      '通过“个人所得税”App 办理年度汇算。',
      'taxation',
      '身份证；银行卡',
      { text: '个税网站', hyperlink: 'https://tax.example.gov.cn/' },
      '个税，退税',
      'How do I get an income tax refund?',
      'File the annual reconciliation in the IIT app.',
    ]);
    sheet.addRow([null, 'How much is the marriage registration fee?', null, 'It is free.', 'Civil Affairs Bureau', null, 'not a url']);
    sheet.addRow([2024, 'How much is the marriage registration fee?', null, 'It is free.', 'Civil Affairs Bureau']);
    await workbook.xlsx.writeFile(input);
    const out = join(dir, 'kb');

    const result = await importSpreadsheet(input, out);

    // no departments.yaml in out: department ids are kept, a name gets a hashed id and is reported
    expect(result.skipped).toEqual([
      { file: input, line: 3, field: 'link', message: expect.stringContaining('not a url') },
      { file: input, line: 4, field: 'department', message: expect.stringContaining('Civil Affairs Bureau') },
    ]);
    const tax = readKnowledgeFile(join(out, 'imported-taxation.yaml'));
    const entry = tax.entries[0];
    expect(entry?.id).toBe('tax-refund-01');
    expect(entry?.questions).toEqual({
      zh: ['个税退税怎么办理', '个税怎么退', '年度汇算退税'],
      en: ['How do I get an income tax refund?'],
    });
    expect(entry?.answer).toEqual({ zh: '通过“个人所得税”App 办理年度汇算。', en: 'File the annual reconciliation in the IIT app.' });
    expect(entry?.materials).toEqual({ zh: ['身份证', '银行卡'] });
    expect(entry?.links?.[0]?.url).toBe('https://tax.example.gov.cn/');
    expect(entry?.keywords).toEqual(['个税', '退税']);

    const other = result.files.find((f) => f.department !== 'taxation');
    expect(other?.department).toMatch(/^dept-[0-9a-f]{8}$/);
    const civil = readKnowledgeFile(other!.path);
    expect(civil.entries[0]).toMatchObject({ id: '2024', questions: { en: ['How much is the marriage registration fee?'] }, answer: { en: 'It is free.' } });
  });

  it('reports an unknown department name and avoids ids used by existing files', async () => {
    const dir = tempDir();
    copyFileSync(DEPARTMENTS, join(dir, 'departments.yaml'));
    writeFileSync(
      join(dir, 'housing.yaml'),
      YAML.stringify({ department: 'housing-fund', entries: [{ id: 'housing-fund-1', title: { zh: 'x' }, questions: { zh: ['x'] }, answer: { zh: 'x' } }] }),
    );
    const input = join(dir, 'faq.csv');
    writeFileSync(input, 'question,answer,department\n公积金怎么查,登录网上服务大厅查询。,housing-fund\n问题,回答,火星办事处\n');

    const result = await importSpreadsheet(input, dir);

    const housing = readKnowledgeFile(join(dir, 'imported-housing-fund.yaml'));
    expect(housing.entries[0]?.id).toBe('housing-fund-2');
    expect(result.skipped).toEqual([
      { file: input, line: 3, field: 'department', message: expect.stringMatching(/火星办事处.*departments\.yaml/) },
    ]);
  });

  it('throws a KnowledgeError naming a missing required column', async () => {
    const dir = tempDir();
    const input = join(dir, 'faq.csv');
    writeFileSync(input, '问题,部门\n公积金怎么查,housing-fund\n');
    const error = await importSpreadsheet(input, join(dir, 'kb')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KnowledgeError);
    expect((error as KnowledgeError).problems).toEqual([
      { file: input, line: 1, field: 'answer', message: expect.stringContaining('答案') },
    ]);
    expect((error as Error).message).toContain(`${input}:1:`);
    expect((error as Error).message).toMatch(/missing column "answer".*answer, 答案, 回答, 答复/);
  });

  it('refuses to overwrite an existing file unless asked to', async () => {
    const dir = tempDir();
    const input = join(dir, 'faq.csv');
    writeFileSync(input, '问题,答案\n公积金怎么查,登录网上服务大厅查询。\n');
    const target = join(dir, 'imported-housing-fund.yaml');
    writeFileSync(target, '# hand-edited\n');

    await expect(importSpreadsheet(input, dir, { defaultDepartment: 'housing-fund' })).rejects.toThrow(target);
    expect(readFileSync(target, 'utf8')).toBe('# hand-edited\n');

    const result = await importSpreadsheet(input, dir, { defaultDepartment: 'housing-fund', overwrite: true });
    expect(result.files).toEqual([{ path: target, department: 'housing-fund', entries: 1 }]);
    expect(readKnowledgeFile(target).entries[0]?.id).toBe('housing-fund-1');
  });

  it('rejects unsupported file types and non-UTF-8 CSV files', async () => {
    const dir = tempDir();
    const xls = join(dir, 'faq.xls');
    writeFileSync(xls, 'x');
    await expect(importSpreadsheet(xls, dir)).rejects.toThrow(xls);

    const gbk = join(dir, 'gbk.csv');
    writeFileSync(gbk, Buffer.from([0xce, 0xca, 0xcc, 0xe2, 0x2c, 0xb4, 0xf0, 0xb0, 0xb8, 0x0a])); // 问题,答案 in GBK
    await expect(importSpreadsheet(gbk, dir)).rejects.toThrow(/save the file as UTF-8 CSV/);
    expect(existsSync(join(dir, 'imported-housing-fund.yaml'))).toBe(false);
  });
});
