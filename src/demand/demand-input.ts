/** Reads a file of messages to group: JSON lines, a JSON array, CSV/TSV, XLSX, or plain text (one message a line). */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { DemandMessage } from './topic-types.ts';

/** A problem with an input file, naming the file and (when known) the 1-based line or row. */
export class DemandInputError extends Error {
  constructor(readonly file: string, readonly line: number | undefined, problem: string) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${problem}`);
    this.name = 'DemandInputError';
  }
}

/** Messages read from a file, each with the 0-based line (or sheet row) it came from. */
export interface DemandInput {
  messages: DemandMessage[];
  lines: number[];
  /** The column the text was taken from (CSV/XLSX). */
  textColumn?: string;
}

const normalizeHeader = (h: string): string => h.normalize('NFKC').toLowerCase().replace(/[\s*_-]/g, '');

const TEXT_HEADERS = ['text', 'content', 'message', 'question', 'query', 'body', '内容', '诉求内容', '诉求', '问题', '问题描述', '来电内容',
  '来信内容', '留言内容', '留言', '反映内容', '反映问题', '事项内容', '工单内容', '描述', '咨询内容', '投诉内容', '详细内容', '正文'].map(normalizeHeader);
const TIME_HEADERS = ['time', 'date', 'createdat', 'created', 'timestamp', '时间', '日期', '来电时间', '受理时间', '登记时间', '提交时间',
  '创建时间', '留言时间', '来信时间', '发生时间'].map(normalizeHeader);
const CHANNEL_HEADERS = ['channel', 'source', '渠道', '来源', '来源渠道', '受理渠道', '诉求渠道'].map(normalizeHeader);
const DEPARTMENT_HEADERS = ['department', 'dept', '部门', '承办单位', '承办部门', '责任单位', '处理部门', '所属部门', '办理单位'].map(normalizeHeader);

/** Reads messages from `file`; throws DemandInputError (file and line) on anything it cannot read. */
export async function readDemandFile(file: string): Promise<DemandInput> {
  const ext = extname(file).toLowerCase();
  if (ext === '.xls') throw new DemandInputError(file, undefined, 'old .xls workbooks are not supported: save the sheet as .xlsx or UTF-8 .csv');
  if (ext === '.xlsx') return fromRows(file, await readXlsx(file));
  const text = readText(file);
  if (ext === '.csv' || ext === '.tsv') return fromRows(file, readCsvRows(file, text, ext === '.tsv' ? '\t' : undefined));
  const first = text.trimStart()[0];
  if (first === '[') return fromJsonArray(file, text);
  if (first === '{' || ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return fromJsonLines(file, text);
  return fromPlainLines(text);
}

function readText(file: string): string {
  let buffer: Buffer;
  try {
    buffer = readFileSync(file);
  } catch (e) {
    throw new DemandInputError(file, undefined, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (buffer.subarray(0, 4).toString('latin1') === 'PK\u0003\u0004') {
    throw new DemandInputError(file, undefined, 'this is a zip/xlsx file: give it the .xlsx extension');
  }
  const text = buffer.toString('utf8').replace(/^\uFEFF/, '');
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) {
    throw new DemandInputError(file, text.slice(0, bad).split('\n').length, 'not UTF-8 text (probably GBK/ANSI): save the file as UTF-8 and try again');
  }
  if (text.includes('\u0000')) throw new DemandInputError(file, text.slice(0, text.indexOf('\u0000')).split('\n').length, 'binary data, not text');
  return text;
}

function fromJsonLines(file: string, text: string): DemandInput {
  const out: DemandInput = { messages: [], lines: [] };
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new DemandInputError(file, i + 1, `not valid JSON (${(e as Error).message}); expected one object per line like {"text": "..."}`);
    }
    const message = fromJsonValue(file, i + 1, value);
    if (message) {
      out.messages.push(message);
      out.lines.push(i);
    }
  });
  return out;
}

function fromJsonArray(file: string, text: string): DemandInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DemandInputError(file, undefined, `not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(value)) throw new DemandInputError(file, 1, 'expected a JSON array of messages');
  const out: DemandInput = { messages: [], lines: [] };
  value.forEach((v: unknown, i) => {
    const message = fromJsonValue(file, i + 1, typeof v === 'string' ? { text: v } : v, `item ${i + 1}`);
    if (message) {
      out.messages.push(message);
      out.lines.push(i);
    }
  });
  return out;
}

function fromJsonValue(file: string, line: number, value: unknown, where?: string): DemandMessage | null {
  const at = (problem: string): DemandInputError => new DemandInputError(file, where ? undefined : line, where ? `${where}: ${problem}` : problem);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw at('expected an object like {"text": "..."}');
  const record = value as Record<string, unknown>;
  const key = Object.keys(record).find((k) => TEXT_HEADERS.includes(normalizeHeader(k)));
  const text = key === undefined ? undefined : record[key];
  if (typeof text !== 'string') throw at(key === undefined ? 'no "text" field' : `"${key}" is not a string`);
  if (!text.trim()) return null;
  const message: DemandMessage = { text };
  const time = record.time ?? record.createdAt ?? record.date;
  if (time !== undefined && time !== null && time !== '') {
    const parsed = parseTime(time);
    if (!parsed) throw at(`"time" is not a date: ${JSON.stringify(time)}`);
    message.time = parsed;
  }
  if (typeof record.channel === 'string') message.channel = record.channel;
  if (typeof record.department === 'string') message.department = record.department;
  if (Array.isArray(record.candidates)) {
    message.candidates = record.candidates
      .filter((c): c is { entryId: string; score: number } => typeof c === 'object' && c !== null && typeof (c as { entryId?: unknown }).entryId === 'string')
      .map((c) => ({ entryId: c.entryId, score: typeof c.score === 'number' ? c.score : 0 }));
  }
  return message;
}

function fromPlainLines(text: string): DemandInput {
  const out: DemandInput = { messages: [], lines: [] };
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    out.messages.push({ text: line.replace(/\r$/, '') });
    out.lines.push(i);
  });
  return out;
}

/** A sheet row: its 1-based line and cell texts. */
interface SheetRow {
  line: number;
  cells: Array<string | Date>;
}

function readCsvRows(file: string, text: string, delimiter?: string): SheetRow[] {
  const source = text.replace(/\r\n?/g, '\n');
  const firstLine = source.slice(0, source.indexOf('\n') >>> 0);
  const sep = delimiter ?? ([',', '\t', ';', '|'].map((d) => [d, firstLine.split(d).length] as const).sort((a, b) => b[1] - a[1])[0]?.[0] ?? ',');
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parseCsv(source, { info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, delimiter: sep }) as unknown as typeof records;
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new DemandInputError(file, err.lines, `not a valid CSV file: ${err.message}`);
  }
  return records.map(({ record, info }) => ({
    line: info.lines - record.reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0),
    cells: record,
  }));
}

async function readXlsx(file: string): Promise<SheetRow[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(file);
  } catch (e) {
    throw new DemandInputError(file, undefined, `not a readable .xlsx workbook (${(e as Error).message})`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new DemandInputError(file, undefined, 'the workbook has no worksheet');
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: Array<string | Date> = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cell.value instanceof Date ? cell.value : cellText(cell.value);
    });
    for (let i = 0; i < cells.length; i++) cells[i] ??= '';
    rows.push({ line: rowNumber, cells });
  });
  return rows;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return v.richText.map((r: { text?: unknown }) => cellText(r.text)).join('');
    if ('formula' in v || 'sharedFormula' in v) return cellText(v.result);
    if ('text' in v) return cellText(v.text);
  }
  return '';
}

function fromRows(file: string, rows: SheetRow[]): DemandInput {
  const header = rows[0];
  if (!header) throw new DemandInputError(file, undefined, 'the file is empty (expected a header row and one message per row)');
  const names = header.cells.map((c) => (typeof c === 'string' ? normalizeHeader(c) : ''));
  const find = (wanted: readonly string[]): number => {
    for (const w of wanted) {
      const i = names.indexOf(w);
      if (i >= 0) return i;
    }
    return -1;
  };
  let textCol = find(TEXT_HEADERS);
  let dataStart = 1;
  if (textCol < 0) {
    textCol = longestTextColumn(rows);
    if (textCol < 0) throw new DemandInputError(file, header.line, 'no text column found (name it "text" or "内容")');
    const headCell = header.cells[textCol];
    // A long first cell is a message, not a header.
    if (typeof headCell === 'string' && Array.from(headCell).length > 30) dataStart = 0;
  }
  const timeCol = dataStart ? find(TIME_HEADERS) : -1;
  const channelCol = dataStart ? find(CHANNEL_HEADERS) : -1;
  const departmentCol = dataStart ? find(DEPARTMENT_HEADERS) : -1;
  const out: DemandInput = { messages: [], lines: [], textColumn: dataStart ? String(header.cells[textCol] ?? '') : `column ${textCol + 1}` };
  for (const row of rows.slice(dataStart)) {
    const text = asText(row.cells[textCol]);
    if (!text.trim()) continue;
    const message: DemandMessage = { text };
    const time = timeCol >= 0 ? row.cells[timeCol] : undefined;
    if (time !== undefined && asText(time).trim() !== '') {
      const parsed = parseTime(time);
      if (!parsed) throw new DemandInputError(file, row.line, `the time "${asText(time)}" is not a date`);
      message.time = parsed;
    }
    const channel = channelCol >= 0 ? asText(row.cells[channelCol]).trim() : '';
    if (channel) message.channel = channel;
    const department = departmentCol >= 0 ? asText(row.cells[departmentCol]).trim() : '';
    if (department) message.department = department;
    out.messages.push(message);
    out.lines.push(row.line - 1);
  }
  return out;
}

function asText(v: string | Date | undefined): string {
  return v === undefined ? '' : v instanceof Date ? v.toISOString() : v;
}

function longestTextColumn(rows: readonly SheetRow[]): number {
  const totals: number[] = [];
  for (const row of rows.slice(0, 500)) {
    row.cells.forEach((c, i) => {
      totals[i] = (totals[i] ?? 0) + (typeof c === 'string' && !/^[\d\s.:/-]*$/.test(c) ? Array.from(c).length : 0);
    });
  }
  let best = -1;
  totals.forEach((t, i) => {
    if (t > 0 && (best < 0 || t > totals[best]!)) best = i;
  });
  return best;
}

/** A date from an ISO/local date string, 2024年3月5日, epoch seconds or milliseconds, or a Date; null if none. */
export function parseTime(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'number') return epoch(value);
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (/^\d{9,13}(\.\d+)?$/.test(s)) return epoch(Number(s));
  const cleaned = s
    .replace(/(\d{4})年(\d{1,2})月(\d{1,2})[日号]?/, '$1/$2/$3')
    .replace(/(\d{1,2})时(\d{1,2})分(?:(\d{1,2})秒)?/, (_, h: string, m: string, sec?: string) => `${h}:${m}${sec ? `:${sec}` : ''}`)
    .replace(/^(\d{4})[.](\d{1,2})[.](\d{1,2})/, '$1/$2/$3');
  const ms = Date.parse(cleaned);
  return Number.isNaN(ms) ? null : new Date(ms);
}

function epoch(n: number): Date | null {
  if (!Number.isFinite(n) || n <= 0) return null;
  return new Date(n < 1e11 ? n * 1000 : n);
}
