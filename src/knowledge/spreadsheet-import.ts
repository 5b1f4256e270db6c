/** Imports a CSV or XLSX question/answer spreadsheet into knowledge-base YAML files, one per department. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { importTargets, hashedDepartmentId, knowledgeFileYaml, type ImportResult } from './import-output.ts';
import { KnowledgeError, type KnowledgeProblem } from './knowledge-error.ts';
import { departmentsFileSchema, knowledgeFileSchema, type EntryInput } from './schema.ts';
import { parseYamlFile } from './yaml-file.ts';

type Field =
  | 'id' | 'question' | 'variants' | 'answer' | 'department' | 'title'
  | 'materials' | 'link' | 'keywords' | 'question_en' | 'answer_en';

/** Accepted header names per field (compared after lower-casing and removing spaces, "*" and "_"/"-"). */
const HEADERS: Record<Field, string[]> = {
  id: ['id', '编号'],
  question: ['question', '问题', '标准问题', '标准问'],
  variants: ['variants', '相似问法', '相似问题', '扩展问'],
  answer: ['answer', '答案', '回答', '答复'],
  department: ['department', '部门', '所属部门'],
  title: ['title', '标题'],
  materials: ['materials', '材料', '所需材料'],
  link: ['link', '链接', '网址', 'url'],
  keywords: ['keywords', '关键词'],
  question_en: ['question_en', '英文问题'],
  answer_en: ['answer_en', '英文答案'],
};

const LIST_SEPARATORS = /\n|[|｜;；]/;
const KEYWORD_SEPARATORS = /\n|[|｜;；,，、]/;
const HAN = /\p{Script=Han}/u;
const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const urlSchema = z.url({ protocol: /^https?$/ });

interface SheetRow { line: number; values: unknown[] }
interface Department { id: string; name: { zh?: string | undefined; en?: string | undefined } }
interface Pending { line: number; department: string; explicitId?: string; entry: Omit<EntryInput, 'id'> }

/** Reads a .csv (UTF-8) or .xlsx spreadsheet and writes `<outDir>/imported-<department>.yaml` files; throws KnowledgeError on a missing column. */
export async function importSpreadsheet(
  inputPath: string,
  outDir: string,
  options: { overwrite?: boolean; defaultDepartment?: string } = {},
): Promise<ImportResult> {
  const ext = extname(inputPath).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx') {
    throw new Error(`${inputPath}: unsupported file type "${ext || '(none)'}": save the spreadsheet as .xlsx or as UTF-8 .csv`);
  }
  const rows = ext === '.csv' ? readCsv(inputPath) : await readXlsx(inputPath);
  const header = rows.find((r) => r.values.some((v) => cellText(v) !== ''));
  if (!header) throw new KnowledgeError([{ file: inputPath, line: 1, message: 'the spreadsheet is empty (expected a header row)' }]);
  const columns = mapColumns(inputPath, header, options.defaultDepartment !== undefined);

  const skipped: KnowledgeProblem[] = [];
  const departments = loadDepartments(outDir);
  const resolvedDepartments = new Map<string, string>();
  const pending: Pending[] = [];

  for (const row of rows) {
    if (row.line <= header.line) continue;
    const cell = (f: Field): string => {
      const col = columns.get(f);
      return col === undefined ? '' : clean(cellText(row.values[col], f === 'link'));
    };
    if ([...columns.values()].every((col) => clean(cellText(row.values[col])) === '')) continue;
    const skip = (field: Field, message: string): void => {
      skipped.push({ file: inputPath, line: row.line, field, message: `row skipped: ${message}` });
    };

    const question = oneLine(cell('question'));
    const answer = blockText(cell('answer'));
    const departmentCell = oneLine(cell('department')) || options.defaultDepartment?.trim() || '';
    const link = oneLine(cell('link'));
    const bad: Array<[Field, string]> = [];
    if (question === '') bad.push(['question', `the ${headerName(header, columns, 'question')} cell is empty`]);
    if (answer === '') bad.push(['answer', `the ${headerName(header, columns, 'answer')} cell is empty`]);
    if (departmentCell === '') bad.push(['department', `the ${headerName(header, columns, 'department')} cell is empty`]);
    if (link !== '' && !urlSchema.safeParse(link).success) {
      bad.push(['link', `"${link}" is not a web address (it must start with http:// or https://)`]);
    }
    if (bad.length > 0) {
      for (const [field, message] of bad) skip(field, message);
      continue;
    }

    let department = resolvedDepartments.get(departmentCell);
    if (department === undefined) {
      const resolved = resolveDepartment(departmentCell, departments);
      department = resolved.id;
      resolvedDepartments.set(departmentCell, department);
      if (resolved.problem) {
        skipped.push({ file: inputPath, line: row.line, field: 'department', message: resolved.problem });
      }
    }

    const questions = localizedList([question, ...split(cell('variants'), LIST_SEPARATORS)]);
    const questionEn = oneLine(cell('question_en'));
    if (questionEn) questions.en = unique([...(questions.en ?? []), questionEn]);
    const answerEn = blockText(cell('answer_en'));
    const answerLang = answerEn !== '' || HAN.test(answer) ? 'zh' : 'en';
    const titleCell = oneLine(cell('title'));
    const title = {
      zh: titleCell && HAN.test(titleCell) ? titleCell : HAN.test(question) ? question : undefined,
      en: titleCell && !HAN.test(titleCell) ? titleCell : !HAN.test(question) ? question : questionEn || undefined,
    };
    const materials = localizedList(split(cell('materials'), LIST_SEPARATORS));
    const keywords = unique(split(cell('keywords'), KEYWORD_SEPARATORS));
    const entry: Omit<EntryInput, 'id'> = {
      title: compact(title),
      questions,
      answer: compact({ zh: answerLang === 'zh' ? answer : undefined, en: answerLang === 'en' ? answer : answerEn || undefined }),
      ...(materials.zh || materials.en ? { materials } : {}),
      ...(link ? { links: [{ title: compact(title), url: link }] } : {}),
      ...(keywords.length > 0 ? { keywords } : {}),
    };
    const explicitId = slug(oneLine(cell('id')));
    pending.push({ line: row.line, department, entry, ...(explicitId ? { explicitId } : {}) });
  }

  const { targets, used } = importTargets(pending.map((p) => p.department), outDir, options.overwrite);
  const ids = new Map<Pending, string>();
  for (const p of pending) {
    if (p.explicitId === undefined) continue;
    if (used.has(p.explicitId)) {
      skipped.push({ file: inputPath, line: p.line, field: 'id', entry: p.explicitId, message: `row skipped: id "${p.explicitId}" is already used` });
    } else {
      used.add(p.explicitId);
      ids.set(p, p.explicitId);
    }
  }
  const counters = new Map<string, number>();
  for (const p of pending) {
    if (p.explicitId !== undefined) continue;
    let n = counters.get(p.department) ?? 0;
    do n++; while (used.has(`${p.department}-${n}`));
    counters.set(p.department, n);
    used.add(`${p.department}-${n}`);
    ids.set(p, `${p.department}-${n}`);
  }

  const byDepartment = new Map<string, EntryInput[]>();
  for (const p of pending) {
    const id = ids.get(p);
    if (id === undefined) continue;
    const entry: EntryInput = { id, ...p.entry };
    const check = knowledgeFileSchema.safeParse({ department: p.department, entries: [entry] });
    if (!check.success) {
      for (const issue of check.error.issues) {
        const field = issue.path.slice(2).map(String).join('.') || undefined;
        skipped.push({ file: inputPath, line: p.line, ...(field ? { field } : {}), message: `row skipped: ${issue.message}` });
      }
      continue;
    }
    byDepartment.set(p.department, [...(byDepartment.get(p.department) ?? []), entry]);
  }

  const files: ImportResult['files'] = [];
  if (byDepartment.size > 0) mkdirSync(outDir, { recursive: true });
  for (const [department, entries] of byDepartment) {
    const data = { department, entries };
    const check = knowledgeFileSchema.safeParse(data);
    if (!check.success) throw new Error(`internal error: imported data for ${department} does not validate: ${check.error.message}`);
    const path = targets.get(department) ?? join(outDir, `imported-${department}.yaml`);
    const comment = ` Imported from ${basename(inputPath)}: review the entries (at least 6 Chinese questions each), then run \`huiying kb lint\`.`;
    writeFileSync(path, knowledgeFileYaml(data, comment), 'utf8');
    files.push({ path, department, entries: entries.length });
  }
  skipped.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { files, skipped };
}

function readCsv(file: string): SheetRow[] {
  const text = readFileSync(file).toString('utf8');
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) {
    const line = text.slice(0, bad).split('\n').length;
    throw new KnowledgeError([{ file, line, message: 'the file is not UTF-8 text (probably GBK/ANSI): save the file as UTF-8 CSV ("CSV UTF-8" in Excel or WPS) and import it again' }]);
  }
  // csv-parse miscounts lines on CRLF inside quoted cells: normalize line endings first.
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parseCsv(source, { info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new KnowledgeError([{ file, ...(err.lines !== undefined ? { line: err.lines } : {}), message: `not a valid CSV file: ${err.message}` }]);
  }
  // info.lines is the record's last line; report the line it starts on.
  return records.map(({ record, info }) => ({
    line: info.lines - record.reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0),
    values: record,
  }));
}

async function readXlsx(file: string): Promise<SheetRow[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(file);
  } catch (err) {
    throw new KnowledgeError([{ file, message: `not a readable .xlsx workbook (${(err as Error).message}): open it in Excel or WPS and save it again as .xlsx` }]);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new KnowledgeError([{ file, message: 'the workbook has no worksheet' }]);
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values: unknown[] = [];
    row.eachCell({ includeEmpty: false }, (cell, col) => {
      values[col - 1] = cell.value;
    });
    rows.push({ line: rowNumber, values });
  });
  return rows;
}

/** A cell value (string, number, date, rich text, hyperlink, formula) as plain text. */
function cellText(value: unknown, preferHyperlink = false): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return v.richText.map((r: { text?: unknown }) => cellText(r.text)).join('');
    if (typeof v.hyperlink === 'string') {
      return preferHyperlink && /^https?:/i.test(v.hyperlink) ? v.hyperlink : cellText(v.text) || v.hyperlink;
    }
    if ('formula' in v || 'sharedFormula' in v) return cellText(v.result, preferHyperlink);
    if ('text' in v) return cellText(v.text);
  }
  return '';
}

function normalizeHeader(h: string): string {
  return h.normalize('NFKC').toLowerCase().replace(/[\s*]/g, '').replace(/-/g, '_');
}

function mapColumns(file: string, header: SheetRow, hasDefaultDepartment: boolean): Map<Field, number> {
  const columns = new Map<Field, number>();
  header.values.forEach((v, col) => {
    const name = normalizeHeader(cellText(v));
    for (const [field, names] of Object.entries(HEADERS) as Array<[Field, string[]]>) {
      if (!columns.has(field) && names.some((n) => normalizeHeader(n) === name)) columns.set(field, col);
    }
  });
  const required: Field[] = hasDefaultDepartment ? ['question', 'answer'] : ['question', 'answer', 'department'];
  const problems = required
    .filter((f) => !columns.has(f))
    .map((f) => ({
      file,
      line: header.line,
      field: f,
      message: `missing column "${f}" (accepted header names: ${HEADERS[f].join(', ')})`,
    }));
  if (problems.length > 0) throw new KnowledgeError(problems);
  return columns;
}

function headerName(header: SheetRow, columns: Map<Field, number>, field: Field): string {
  const col = columns.get(field);
  const name = col === undefined ? '' : cellText(header.values[col]).trim();
  return name ? `"${name}"` : field;
}

function clean(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t\u3000]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Multi-line text ends with a newline, so that YAML writes it as a `|` block. */
function blockText(s: string): string {
  return s.includes('\n') ? `${s}\n` : s;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

function split(s: string, separators: RegExp): string[] {
  return s.split(separators).map((x) => x.trim()).filter((x) => x !== '');
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

/** Items with Han characters go to zh, the others to en. */
function localizedList(items: string[]): { zh?: string[]; en?: string[] } {
  const zh = unique(items.filter((x) => x !== '' && HAN.test(x)));
  const en = unique(items.filter((x) => x !== '' && !HAN.test(x)));
  return { ...(zh.length > 0 ? { zh } : {}), ...(en.length > 0 ? { en } : {}) };
}

function compact(t: { zh?: string | undefined; en?: string | undefined }): { zh?: string; en?: string } {
  return { ...(t.zh ? { zh: t.zh } : {}), ...(t.en ? { en: t.en } : {}) };
}

function slug(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
}

function loadDepartments(outDir: string): Department[] | undefined {
  const path = join(outDir, 'departments.yaml');
  if (!existsSync(path)) return undefined;
  const parsed = parseYamlFile(path, readFileSync(path, 'utf8'), departmentsFileSchema);
  if (!parsed.ok) throw new KnowledgeError(parsed.problems);
  return parsed.value.departments;
}

/** Maps a department cell (id, zh or en name, or part of a zh name) to a department id. */
function resolveDepartment(value: string, departments: Department[] | undefined): { id: string; problem?: string } {
  const norm = (s: string | undefined): string => (s ?? '').normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  const v = norm(value);
  const fallback = ID_PATTERN.test(value) ? value : hashedDepartmentId(value);
  if (!departments) {
    if (fallback === value) return { id: value };
    return { id: fallback, problem: `unknown department "${value}" imported as "${fallback}": there is no departments.yaml in the output folder; add "${fallback}" to departments.yaml (or use a department id)` };
  }
  const tiers: Array<(d: Department) => boolean> = [
    (d) => d.id === v,
    (d) => norm(d.name.zh) === v || norm(d.name.en) === v,
    (d) => (!!d.name.zh && (norm(d.name.zh).includes(v) || v.includes(norm(d.name.zh)))) || (!!d.name.en && norm(d.name.en).includes(v)),
    // "公积金中心" matches "市住房公积金管理中心": its characters appear in order in the name.
    (d) => HAN.test(v) && [...v].length >= 2 && isSubsequence(v, norm(d.name.zh)),
  ];
  for (const matches of tiers) {
    const found = departments.filter(matches);
    if (found.length === 1 && found[0]) return { id: found[0].id };
    if (found.length > 1) {
      return {
        id: fallback,
        problem: `department "${value}" is ambiguous (${found.map((d) => d.id).join(', ')}); imported as "${fallback}": use the department id, or add "${fallback}" to departments.yaml`,
      };
    }
  }
  return { id: fallback, problem: `unknown department "${value}" imported as "${fallback}": it must be added to departments.yaml (or use an existing department id)` };
}

function isSubsequence(needle: string, haystack: string): boolean {
  let i = 0;
  for (const ch of haystack) if (ch === [...needle][i]) i++;
  return i === [...needle].length;
}
