/**
 * Imports a published FAQ as JSON (an array of {id?, department, question, answer, keywords?, phone?}, the
 * shape of the Taipei City FAQ open data) into knowledge-base YAML files, one per department, and adds the
 * departments to the folder's departments.yaml. HTML answers become the knowledge base's plain text.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { answerText } from './html-answer.ts';
import { jsonErrorOffset } from './json-error-offset.ts';
import { importTargets, hashedDepartmentId, knowledgeFileYaml, type ImportResult } from './import-output.ts';
import { KnowledgeError, type KnowledgeProblem } from './knowledge-error.ts';
import { DEPARTMENTS_FILE } from './knowledge-loader.ts';
import { departmentsFileSchema, knowledgeFileSchema, type EntryInput } from './schema.ts';
import { parseYamlFile } from './yaml-file.ts';

export interface FaqImportOptions {
  /** Replace `imported-<department>.yaml` files an earlier import wrote. */
  overwrite?: boolean;
  /** Base address for relative links in the HTML answers; without it their text is kept and the address dropped. */
  baseUrl?: string;
}

/** What an import wrote: the knowledge files, the departments added to departments.yaml, the entries skipped. */
export interface FaqImportResult extends ImportResult {
  departments: { path: string; added: Array<{ id: string; name: string }> } | null;
}

const HAN = /\p{Script=Han}/u;
/** Department ids as the console accepts them. */
const DEPARTMENT_ID = /^[a-z0-9][a-z0-9-]{1,40}$/;

interface Department {
  id: string;
  name: { zh?: string | undefined; en?: string | undefined };
}
interface Pending {
  index: number;
  line: number;
  department: string;
  id: string;
  entry: Omit<EntryInput, 'id'>;
}

/** Reads `inputPath` (JSON) and writes `<outDir>/imported-<department>.yaml`; throws KnowledgeError when the file is no JSON array. */
export function importFaqJson(inputPath: string, outDir: string, options: FaqImportOptions = {}): FaqImportResult {
  const source = readSource(inputPath);
  const items = parseArray(inputPath, source);
  const lines = elementLines(source);
  const skipped: KnowledgeProblem[] = [];
  const known = loadDepartments(outDir);
  const added: Department[] = [];
  const pending: Pending[] = [];

  items.forEach((item, index) => {
    const line = lines[index] ?? 1;
    const label = `#${index + 1}`;
    const skip = (field: string | undefined, message: string, entry = label): void => {
      skipped.push({ file: inputPath, line, entry, ...(field ? { field } : {}), message: `entry skipped: ${message}` });
    };
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      skip(undefined, `expected an object {"department", "question", "answer"}, found ${describe(item)}`);
      return;
    }
    const record = item as Record<string, unknown>;
    const sourceId = typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id).trim() : '';
    const entryLabel = sourceId || label;
    const question = typeof record.question === 'string' ? oneLine(record.question) : '';
    const rawAnswer = typeof record.answer === 'string' ? record.answer : '';
    const departmentName = typeof record.department === 'string' ? oneLine(record.department) : '';
    const bad: Array<[string, string]> = [];
    if (record.id !== undefined && record.id !== null && sourceId === '') bad.push(['id', `must be a string or a number, found ${describe(record.id)}`]);
    if (question === '') bad.push(['question', record.question === undefined ? 'missing' : `must be a non-empty text, found ${describe(record.question)}`]);
    const answer = rawAnswer.trim() === '' ? '' : answerText(rawAnswer, { baseUrl: options.baseUrl });
    if (answer === '') bad.push(['answer', record.answer === undefined ? 'missing' : typeof record.answer === 'string' ? 'empty' : `must be a text (HTML or plain), found ${describe(record.answer)}`]);
    if (departmentName === '') bad.push(['department', record.department === undefined ? 'missing' : `must be a non-empty text, found ${describe(record.department)}`]);
    if (bad.length > 0) {
      for (const [field, message] of bad) skip(field, message, entryLabel);
      return;
    }

    let department = resolveDepartment(departmentName, [...(known ?? []), ...added]);
    if (!department) {
      department = { id: DEPARTMENT_ID.test(departmentName) ? departmentName : hashedDepartmentId(departmentName), name: HAN.test(departmentName) ? { zh: departmentName } : { en: departmentName } };
      added.push(department);
    }
    const lang = HAN.test(question) || HAN.test(answer) ? 'zh' : 'en';
    const phone = typeof record.phone === 'string' || typeof record.phone === 'number' ? oneLine(String(record.phone)) : '';
    const withPhone = phone && !answer.includes(phone) ? `${answer}\n\n${lang === 'zh' ? '電話：' : 'Phone: '}${phone}` : answer;
    const keywords = keywordList(record.keywords);
    const id = sourceId ? slug(sourceId) : `faq-${createHash('sha1').update(`${departmentName}\n${question}`).digest('hex').slice(0, 10)}`;
    if (id === '') {
      skip('id', `"${sourceId}" has no letters or digits to make an entry id from`, entryLabel);
      return;
    }
    pending.push({
      index,
      line,
      department: department.id,
      id,
      entry: {
        title: { [lang]: question },
        questions: { [lang]: [question] },
        answer: { [lang]: withPhone.includes('\n') ? `${withPhone}\n` : withPhone },
        ...(keywords.length > 0 ? { keywords } : {}),
      },
    });
  });

  const { targets, used } = importTargets(pending.map((p) => p.department), outDir, options.overwrite);
  const byDepartment = new Map<string, EntryInput[]>();
  for (const p of pending) {
    if (used.has(p.id)) {
      skipped.push({ file: inputPath, line: p.line, entry: p.id, field: 'id', message: `entry skipped: id "${p.id}" is already used (by an earlier entry or another knowledge file)` });
      continue;
    }
    const entry: EntryInput = { id: p.id, ...p.entry };
    const check = knowledgeFileSchema.safeParse({ department: p.department, entries: [entry] });
    if (!check.success) {
      for (const issue of check.error.issues) {
        const field = issue.path.slice(2).map(String).join('.') || undefined;
        skipped.push({ file: inputPath, line: p.line, entry: p.id, ...(field ? { field } : {}), message: `entry skipped: ${issue.message}` });
      }
      continue;
    }
    used.add(p.id);
    byDepartment.set(p.department, [...(byDepartment.get(p.department) ?? []), entry]);
  }

  const files: ImportResult['files'] = [];
  if (byDepartment.size > 0) mkdirSync(outDir, { recursive: true });
  const names = new Map([...(known ?? []), ...added].map((d) => [d.id, d.name.zh ?? d.name.en ?? d.id]));
  for (const [department, entries] of [...byDepartment].sort(([a], [b]) => a.localeCompare(b))) {
    const path = targets.get(department)!;
    const comment = ` ${names.get(department)}: imported from ${basename(inputPath)}; review the entries (6 or more Chinese questions each match better), then run \`huiying kb lint\`.`;
    writeFileSync(path, knowledgeFileYaml({ department, entries }, comment), 'utf8');
    files.push({ path, department, entries: entries.length });
  }
  const written = new Set(byDepartment.keys());
  const newDepartments = added.filter((d) => written.has(d.id));
  const departments = newDepartments.length > 0 ? writeDepartments(outDir, newDepartments) : null;
  skipped.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { files, skipped, departments };
}

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new KnowledgeError([{ file, message: err.code === 'ENOENT' ? 'no such file' : `cannot read the file (${err.message})` }]);
  }
}

function parseArray(file: string, source: string): unknown[] {
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (e) {
    // V8's own position and its quote of the text are left out: the line and column say where.
    const message = (e as Error).message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
    const at = /position (\d+)/.exec((e as Error).message);
    const offset = at ? Number(at[1]) : jsonErrorOffset(source);
    const where = offset !== undefined ? lineAndColumn(source, offset) : undefined;
    throw new KnowledgeError([
      { file, ...(where ? { line: where.line } : {}), message: `not valid JSON${where ? ` (line ${where.line}, column ${where.column})` : ''}: ${message}` },
    ]);
  }
  if (!Array.isArray(data)) {
    throw new KnowledgeError([{ file, line: 1, message: `expected a JSON array of FAQ entries [{"department", "question", "answer"}, ...], found ${describe(data)}` }]);
  }
  if (data.length === 0) throw new KnowledgeError([{ file, line: 1, message: 'the JSON array is empty: there are no FAQ entries to import' }]);
  return data;
}

function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** The line each element of the top-level array starts on (the source is valid JSON). */
function elementLines(source: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectValue = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 1 && expectValue && !/\s/.test(c) && c !== ']') {
      lines.push(line);
      expectValue = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectValue = true;
  }
  return lines;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value.trim() === '' ? 'an empty text' : 'a text';
  return `${typeof value === 'number' ? 'the number' : typeof value} ${String(value)}`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function keywordList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[,，、;；|｜]/) : [];
  return [...new Set(items.filter((k): k is string => typeof k === 'string').map(oneLine).filter((k) => k !== ''))];
}

function slug(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
}

function loadDepartments(outDir: string): Department[] | undefined {
  const path = join(outDir, DEPARTMENTS_FILE);
  if (!existsSync(path)) return undefined;
  const parsed = parseYamlFile(path, readFileSync(path, 'utf8'), departmentsFileSchema);
  if (!parsed.ok) throw new KnowledgeError(parsed.problems);
  return parsed.value.departments;
}

/** The department with this id or exactly this (zh or en) name. */
function resolveDepartment(value: string, departments: Department[]): Department | undefined {
  const norm = (s: string | undefined): string => (s ?? '').normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  const v = norm(value);
  return departments.find((d) => d.id === v) ?? departments.find((d) => norm(d.name.zh) === v || norm(d.name.en) === v);
}

/** Appends departments to outDir/departments.yaml (created if missing), keeping its comments and layout. */
function writeDepartments(outDir: string, departments: Department[]): FaqImportResult['departments'] {
  const path = join(outDir, DEPARTMENTS_FILE);
  const exists = existsSync(path);
  const doc = parseDocument(exists ? readFileSync(path, 'utf8') : 'departments: []\n');
  if (!exists) doc.commentBefore = ' Departments that knowledge-base entries belong to; names as the imported FAQ gives them (add an en name where useful).';
  let list = doc.get('departments');
  if (!isSeq(list)) {
    list = new YAMLSeq();
    doc.set('departments', list);
  }
  const seq = list as YAMLSeq;
  seq.flow = false;
  const have = new Set(seq.items.filter(isMap).map((m) => m.get('id')));
  const added: Array<{ id: string; name: string }> = [];
  for (const d of [...departments].sort((a, b) => a.id.localeCompare(b.id))) {
    if (have.has(d.id)) continue;
    const name = Object.fromEntries(Object.entries(d.name).filter(([, v]) => v !== undefined));
    const node = doc.createNode({ id: d.id, name }) as YAMLMap;
    const nameNode = node.get('name', true);
    if (isMap(nameNode)) nameNode.flow = true;
    seq.add(node);
    added.push({ id: d.id, name: d.name.zh ?? d.name.en ?? d.id });
  }
  writeFileSync(path, doc.toString({ lineWidth: 0 }), 'utf8');
  return { path, added };
}
