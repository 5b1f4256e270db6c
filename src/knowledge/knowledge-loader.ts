/** Loads and validates the knowledge base: a folder of YAML files, or the JSON format `huiying eval` accepts. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { z } from 'zod';
import { detectLanguage } from '../nlu/language.ts';
import { KnowledgeError, type KnowledgeProblem } from './knowledge-error.ts';
import { departmentsFileSchema, knowledgeFileSchema, variantsFileSchema, type EntryInput } from './schema.ts';
import type { Department, KnowledgeBase, KnowledgeEntry, Localized } from './types.ts';
import { YamlDataCache } from './yaml-data-cache.ts';
import { parseYamlFile, type Parsed } from './yaml-file.ts';

export const DEPARTMENTS_FILE = 'departments.yaml';
/** Settings that live beside the knowledge files but hold no entries. */
export const SERVICE_HOURS_FILE = 'service-hours.yaml';
export const CANNED_REPLIES_FILE = 'canned-replies.yaml';
const NOT_ENTRY_FILES = new Set([DEPARTMENTS_FILE, SERVICE_HOURS_FILE, CANNED_REPLIES_FILE]);
/** Files named `variants-*.yaml` add question variants to an entry defined elsewhere (ids stay unique). */
export const VARIANTS_PREFIX = 'variants-';
/** The queue for questions no department's entries match well. */
export const GENERAL_DEPARTMENT: Department = { id: 'general', name: { zh: '综合咨询', en: 'General enquiries' } };

/** The file in a cache folder (MODEL_CACHE_DIR) that keeps the knowledge files' YAML as data (see YamlDataCache). */
export const yamlCacheFile = (cacheDir: string): string => join(cacheDir, 'knowledge-yaml-v1.json');

export interface LoadOptions {
  /** Where the YAML of the entry files is kept as data between runs (see yamlCacheFile); none by default. */
  yamlCache?: string;
}

/** Loads a knowledge folder or JSON file; throws KnowledgeError listing every problem. */
export function loadKnowledgeBase(path: string, options: LoadOptions = {}): KnowledgeBase {
  if (!statSync(path).isDirectory()) return loadJson(path);
  const cache = options.yamlCache ? new YamlDataCache(options.yamlCache) : null;
  try {
    return loadFolder(path, cache);
  } finally {
    cache?.save();
  }
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f) && !NOT_ENTRY_FILES.has(basename(f)))
    .sort();
}

function loadFolder(dir: string, cache: YamlDataCache | null): KnowledgeBase {
  const problems: KnowledgeProblem[] = [];
  let departments: Department[] = [];
  const departmentsPath = join(dir, DEPARTMENTS_FILE);
  let hasDepartmentsFile = false;
  try {
    const parsed = parseYamlFile(DEPARTMENTS_FILE, readFileSync(departmentsPath, 'utf8'), departmentsFileSchema);
    hasDepartmentsFile = true;
    if (parsed.ok) departments = parsed.value.departments;
    else {
      problems.push(...parsed.problems);
      hasDepartmentsFile = false;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const entries: KnowledgeEntry[] = [];
  const seen = new Map<string, string>();
  const overlays: Array<{ rel: string; variantsOf: string; questions: Localized<string[]> }> = [];
  const files = yamlFiles(dir);
  forgetParsedFilesExcept(dir, new Set(files.map((f) => join(dir, f))));
  for (const file of files) {
    const rel = relative(process.cwd(), join(dir, file)) || file;
    if (basename(file).startsWith(VARIANTS_PREFIX)) {
      const variants = parseYamlFile(rel, readFileSync(join(dir, file), 'utf8'), variantsFileSchema);
      if (variants.ok) overlays.push({ rel, ...variants.value });
      else problems.push(...variants.problems);
      continue;
    }
    const parsed = parseEntryFile(rel, join(dir, file), cache);
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      continue;
    }
    parsed.value.entries.forEach((input) => {
      const department = input.department ?? parsed.value.department;
      if (!department) {
        problems.push({ file: rel, entry: input.id, field: 'department', message: 'missing (set it on the entry or at the top of the file)' });
        return;
      }
      const earlier = seen.get(input.id);
      if (earlier) {
        problems.push({ file: rel, entry: input.id, field: 'id', message: `duplicate id, already used in ${earlier}` });
        return;
      }
      seen.set(input.id, rel);
      entries.push(toEntry(input, department, rel));
    });
  }
  for (const overlay of overlays) {
    const entry = entries.find((e) => e.id === overlay.variantsOf);
    if (!entry) {
      problems.push({ file: overlay.rel, field: 'variantsOf', message: `no entry "${overlay.variantsOf}" to add variants to` });
      continue;
    }
    const questions: Localized<string[]> = { ...entry.questions };
    for (const lang of ['zh', 'en'] as const) {
      const extra = overlay.questions[lang];
      if (extra?.length) questions[lang] = [...new Set([...(questions[lang] ?? []), ...extra])];
    }
    entry.questions = questions;
  }
  if (hasDepartmentsFile) {
    const known = new Set(departments.map((d) => d.id));
    for (const e of entries) {
      if (!known.has(e.department)) {
        problems.push({ file: e.file, entry: e.id, field: 'department', message: `unknown department "${e.department}" (not in ${DEPARTMENTS_FILE})` });
      }
    }
  } else {
    departments = [...new Set(entries.map((e) => e.department))].map((id) => ({ id, name: { zh: id, en: id } }));
  }
  if (problems.length > 0) throw new KnowledgeError(problems);
  if (entries.length === 0) throw new KnowledgeError([{ file: dir, message: 'no knowledge-base entries found (*.yaml files)' }]);
  return withHash(entries, departments);
}

/**
 * Entry files as last parsed, by path, with a digest of their text: a reload parses only the files that
 * changed (at 10,000 entries parsing and validating every file takes seconds). The parsed values are shared
 * with the knowledge bases built from them, which nothing changes in place.
 */
const parsedFiles = new Map<string, { digest: string; rel: string; parsed: Parsed<z.infer<typeof knowledgeFileSchema>> }>();

/**
 * An entry file parsed and validated: its parse from the last load when its text has not changed, else its
 * YAML's data from the disk cache validated again, else parsed.
 */
function parseEntryFile(rel: string, path: string, cache: YamlDataCache | null): Parsed<z.infer<typeof knowledgeFileSchema>> {
  const source = readFileSync(path, 'utf8');
  const digest = createHash('sha1').update(source).digest('base64');
  const cached = parsedFiles.get(path);
  if (cached && cached.digest === digest && cached.rel === rel) {
    cache?.get(digest);
    return cached.parsed;
  }
  const data = cache?.get(digest);
  const valid = data === undefined ? null : knowledgeFileSchema.safeParse(data);
  const parsed: Parsed<z.infer<typeof knowledgeFileSchema>> = valid?.success
    ? { ok: true, value: valid.data }
    : parseYamlFile(rel, source, knowledgeFileSchema, (yamlData) => cache?.set(digest, yamlData));
  parsedFiles.set(path, { digest, rel, parsed });
  return parsed;
}

/** Drops the parses of files under `dir` that are gone. */
function forgetParsedFilesExcept(dir: string, present: ReadonlySet<string>): void {
  for (const path of parsedFiles.keys()) if (path.startsWith(join(dir, sep)) && !present.has(path)) parsedFiles.delete(path);
}

function toEntry(input: EntryInput, department: string, file: string): KnowledgeEntry {
  return {
    id: input.id,
    department,
    title: input.title,
    questions: input.questions,
    answer: input.answer,
    materials: input.materials,
    links: input.links?.map((l) => ({
      url: l.url,
      title: typeof l.title === 'string' ? { zh: l.title, en: l.title } : l.title,
    })),
    keywords: input.keywords ?? [],
    synonyms: input.synonyms ?? {},
    reviewBy: input.reviewBy,
    file,
  };
}

const jsonSchema = z.object({
  entries: z
    .array(
      z.object({
        id: z.union([z.string().min(1), z.number()]).transform(String),
        questions: z.array(z.string().min(1)).min(1),
        answer: z.string().optional(),
        department: z.string().optional(),
      }),
    )
    .min(1),
});

function loadJson(path: string): KnowledgeBase {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new KnowledgeError([{ file: path, message: `not valid JSON: ${(e as Error).message}` }]);
  }
  const parsed = jsonSchema.safeParse(raw);
  if (!parsed.success) {
    throw new KnowledgeError(
      parsed.error.issues.map((i) => ({ file: path, field: i.path.join('.'), message: i.message })),
    );
  }
  const entries = parsed.data.entries.map((e): KnowledgeEntry => {
    const questions: Localized<string[]> = {};
    for (const q of e.questions) (questions[detectLanguage(q, 'en')] ??= []).push(q);
    const answerText = e.answer ?? e.id;
    const answer: Localized<string> = { [detectLanguage(answerText, 'en')]: answerText };
    return {
      id: e.id,
      department: e.department ?? GENERAL_DEPARTMENT.id,
      title: { [detectLanguage(e.questions[0]!, 'en')]: e.questions[0]! },
      questions,
      answer,
      keywords: [],
      synonyms: {},
      file: path,
    };
  });
  const departments = [...new Set(entries.map((e) => e.department))].map((id) => ({ id, name: { zh: id, en: id } }));
  return withHash(entries, departments);
}

function withHash(entries: KnowledgeEntry[], departments: Department[]): KnowledgeBase {
  const hash = createHash('sha256')
    // Only the entries train the model: renaming or adding a department must not force a retrain.
    .update(JSON.stringify({ entries: entries.map(({ file: _file, ...rest }) => rest) }))
    .digest('hex');
  return { entries, departments, hash };
}
