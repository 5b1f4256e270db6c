import { mkdtempSync, writeFileSync, mkdirSync, rmSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { loadKnowledgeBase, yamlCacheFile } from '../src/knowledge/knowledge-loader.ts';
import { KnowledgeError, formatProblem, type KnowledgeProblem } from '../src/knowledge/knowledge-error.ts';
import type { KnowledgeBase } from '../src/knowledge/types.ts';

const DEPARTMENTS = `departments:
  - id: housing-fund
    name: { zh: 市住房公积金管理中心, en: Housing Provident Fund Centre }
  - id: public-security
    name: { zh: 市公安局, en: Public Security Bureau }
`;

function entry(id: string, opts: { answer?: boolean; url?: string; department?: string } = {}): string {
  const lines = [
    `  - id: ${id}`,
    ...(opts.department ? [`    department: ${opts.department}`] : []),
    `    title: { zh: 标题${id}, en: Title ${id} }`,
    '    questions:',
    '      zh:',
    `        - ${id}怎么办理`,
    `        - ${id}需要什么材料`,
    '      en:',
    `        - How do I apply for ${id}?`,
  ];
  if (opts.answer !== false) {
    lines.push('    answer:', `      zh: ${id}的办理说明。`, `      en: How to apply for ${id}.`);
  }
  if (opts.url !== undefined) {
    lines.push('    links:', `      - { title: 网上办事大厅, url: "${opts.url}" }`);
  }
  return lines.join('\n');
}

function knowledgeFile(department: string, ...entries: string[]): string {
  return [`department: ${department}`, 'entries:', ...entries, ''].join('\n');
}

function tempKb(files: Record<string, string>, withDepartments = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'huiying-kb-'));
  if (withDepartments) writeFileSync(join(dir, 'departments.yaml'), DEPARTMENTS, 'utf8');
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, 'utf8');
  return dir;
}

/** The problems of the KnowledgeError `fn` throws; fails the test when it throws nothing or something else. */
function problemsOf(fn: () => unknown): KnowledgeProblem[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KnowledgeError);
    const err = e as KnowledgeError;
    expect(err.problems.length).toBeGreaterThan(0);
    return err.problems;
  }
  expect.fail('expected a KnowledgeError');
}

describe('loadKnowledgeBase: a valid folder', () => {
  const valid = (): Record<string, string> => ({
    'housing-fund.yaml': knowledgeFile('housing-fund', entry('fund-balance'), entry('fund-withdraw', { url: 'https://gjj.example.gov.cn/' })),
    'passport.yaml': knowledgeFile('public-security', entry('passport-apply')),
  });

  it('loads entries and departments with their content', () => {
    const kb = loadKnowledgeBase(tempKb(valid()));
    expect(kb.entries.map((e) => e.id).sort()).toEqual(['fund-balance', 'fund-withdraw', 'passport-apply']);
    expect(kb.departments.map((d) => d.id).sort()).toEqual(['housing-fund', 'public-security']);
    const withdraw = kb.entries.find((e) => e.id === 'fund-withdraw')!;
    expect(withdraw.department).toBe('housing-fund');
    expect(withdraw.questions.zh).toEqual(['fund-withdraw怎么办理', 'fund-withdraw需要什么材料']);
    expect(withdraw.questions.en).toEqual(['How do I apply for fund-withdraw?']);
    expect(withdraw.answer).toEqual({ zh: 'fund-withdraw的办理说明。', en: 'How to apply for fund-withdraw.' });
    // A plain-string link title is offered in both languages.
    expect(withdraw.links).toEqual([{ url: 'https://gjj.example.gov.cn/', title: { zh: '网上办事大厅', en: '网上办事大厅' } }]);
    expect(kb.entries.find((e) => e.id === 'passport-apply')!.department).toBe('public-security');
  });

  it('lets an entry override the file department', () => {
    const kb = loadKnowledgeBase(
      tempKb({ 'mixed.yaml': knowledgeFile('housing-fund', entry('fund-balance'), entry('passport-apply', { department: 'public-security' })) }),
    );
    expect(kb.entries.find((e) => e.id === 'passport-apply')!.department).toBe('public-security');
    expect(kb.entries.find((e) => e.id === 'fund-balance')!.department).toBe('housing-fund');
  });

  it('reads files in sub-folders too', () => {
    const dir = tempKb({ 'housing-fund.yaml': knowledgeFile('housing-fund', entry('fund-balance')) });
    mkdirSync(join(dir, 'extra'));
    writeFileSync(join(dir, 'extra', 'passport.yml'), knowledgeFile('public-security', entry('passport-apply')), 'utf8');
    expect(loadKnowledgeBase(dir).entries.map((e) => e.id).sort()).toEqual(['fund-balance', 'passport-apply']);
  });

  it('has a 64-hex hash that is stable for the same content and changes with the content', () => {
    const a = loadKnowledgeBase(tempKb(valid()));
    const b = loadKnowledgeBase(tempKb(valid()));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash);

    const changedFiles = valid();
    changedFiles['passport.yaml'] = changedFiles['passport.yaml']!.replace('passport-apply的办理说明。', '护照请到出入境窗口办理。');
    const changed = loadKnowledgeBase(tempKb(changedFiles));
    expect(changed.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(changed.hash).not.toBe(a.hash);
  });

  it('loading the same folder twice gives the same hash', () => {
    const dir = tempKb(valid());
    expect(loadKnowledgeBase(dir).hash).toBe(loadKnowledgeBase(dir).hash);
  });

  it('derives departments from the entries when there is no departments.yaml', () => {
    const kb = loadKnowledgeBase(tempKb(valid(), false));
    expect(kb.departments.map((d) => d.id).sort()).toEqual(['housing-fund', 'public-security']);
  });
});

describe('loadKnowledgeBase: the YAML kept as data between starts', () => {
  // Each load below reads a new copy of the folder, as a restart would: nothing is remembered in memory.
  const files = (answer = 'passport-apply的办理说明。'): Record<string, string> => ({
    'housing-fund.yaml': knowledgeFile('housing-fund', entry('fund-balance'), entry('fund-withdraw')),
    'passport.yaml': knowledgeFile('public-security', entry('passport-apply')).replace('passport-apply的办理说明。', answer),
  });
  const cacheIn = (): string => yamlCacheFile(mkdtempSync(join(tmpdir(), 'huiying-yaml-cache-')));
  type Stored = { format: number; files: Record<string, { entries: Array<{ id: string; answer: { zh: string } }> }> };

  it('a restart on the same files reads the kept data and gives the same knowledge base', () => {
    const cache = cacheIn();
    const first = loadKnowledgeBase(tempKb(files()), { yamlCache: cache });
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    // What the next start reads is what is kept: an answer changed in the kept data shows it was read.
    const stored = JSON.parse(readFileSync(cache, 'utf8')) as Stored;
    expect(Object.keys(stored.files)).toHaveLength(2);
    expect(loadKnowledgeBase(tempKb(files()), { yamlCache: cache }).hash).toBe(first.hash);
    for (const data of Object.values(stored.files)) for (const e of data.entries) e.answer.zh = `${e.answer.zh}（缓存）`;
    writeFileSync(cache, JSON.stringify(stored));
    const again = loadKnowledgeBase(tempKb(files()), { yamlCache: cache });
    expect(again.entries.find((e) => e.id === 'passport-apply')!.answer.zh).toBe('passport-apply的办理说明。（缓存）');
  });

  it('an edited file is read anew, and the kept data follows it', () => {
    const cache = cacheIn();
    loadKnowledgeBase(tempKb(files()), { yamlCache: cache });
    const edited = loadKnowledgeBase(tempKb(files('护照请到出入境窗口办理。')), { yamlCache: cache });
    expect(edited.entries.find((e) => e.id === 'passport-apply')!.answer.zh).toBe('护照请到出入境窗口办理。');
    const stored = JSON.parse(readFileSync(cache, 'utf8')) as Stored;
    // The old text of passport.yaml is dropped: the cache holds the files of the last load only.
    expect(Object.keys(stored.files)).toHaveLength(2);
    expect(JSON.stringify(stored)).toContain('护照请到出入境窗口办理。');
    expect(JSON.stringify(stored)).not.toContain('passport-apply的办理说明。');
  });

  it('kept data the schema refuses is parsed again, and a broken file is still reported with its line', () => {
    const cache = cacheIn();
    loadKnowledgeBase(tempKb(files()), { yamlCache: cache });
    const stored = JSON.parse(readFileSync(cache, 'utf8')) as Stored;
    for (const data of Object.values(stored.files)) for (const e of data.entries) delete (e as { answer?: unknown }).answer;
    writeFileSync(cache, JSON.stringify(stored));
    expect(loadKnowledgeBase(tempKb(files()), { yamlCache: cache }).entries.every((e) => e.answer.zh)).toBe(true);
    const broken = files();
    broken['passport.yaml'] = broken['passport.yaml']!.replace(/ {4}answer:\n.*\n.*\n/, '');
    const problems = problemsOf(() => loadKnowledgeBase(tempKb(broken), { yamlCache: cache }));
    expect(problems[0]).toMatchObject({ file: expect.stringContaining('passport.yaml'), entry: 'passport-apply', field: 'answer' });
    expect(problems[0]!.line).toBeGreaterThan(0);
  });

  it('a damaged cache file is ignored and written anew', () => {
    const cache = cacheIn();
    writeFileSync(cache, '{"format": 1, "files": ');
    expect(loadKnowledgeBase(tempKb(files())).hash).toBe(loadKnowledgeBase(tempKb(files()), { yamlCache: cache }).hash);
    expect((JSON.parse(readFileSync(cache, 'utf8')) as Stored).format).toBe(1);
  });
});

describe('loadKnowledgeBase: problems', () => {
  const find = (problems: KnowledgeProblem[], pred: (p: KnowledgeProblem) => boolean): KnowledgeProblem => {
    const p = problems.find(pred);
    expect(p, JSON.stringify(problems)).toBeDefined();
    return p!;
  };

  const BROKEN_YAML = ['department: housing-fund', 'entries:', '  - id: fund-balance', '    title: { zh: 余额查询, en: Balance', '    questions: [', ''].join('\n');

  it('reports a YAML syntax error naming the broken file only', () => {
    const dir = tempKb({ 'good.yaml': knowledgeFile('housing-fund', entry('fund-withdraw')), 'broken.yaml': BROKEN_YAML });
    const problems = problemsOf(() => loadKnowledgeBase(dir));
    const p = find(problems, (x) => x.file.endsWith('broken.yaml'));
    expect(p.message).toMatch(/not valid YAML/);
    expect(problems.every((x) => !x.file.endsWith('good.yaml'))).toBe(true);
  });

  // Known bug (reported): yaml-file.ts parses with prettyErrors: false, so YAMLError.linePos is
  // never filled in and syntax errors carry no line number.
  it('reports the line of a YAML syntax error', () => {
    const dir = tempKb({ 'broken.yaml': BROKEN_YAML });
    const p = problemsOf(() => loadKnowledgeBase(dir))[0]!;
    expect(p.line).toEqual(expect.any(Number));
    expect(p.line!).toBeGreaterThanOrEqual(4);
    expect(p.line!).toBeLessThanOrEqual(6);
  });

  it('reports a missing answer in the second entry with its id, field and line', () => {
    const content = knowledgeFile('housing-fund', entry('fund-balance'), entry('fund-withdraw', { answer: false }));
    const dir = tempKb({ 'fund.yaml': content });
    const problems = problemsOf(() => loadKnowledgeBase(dir));
    const p = find(problems, (x) => x.field === 'answer');
    expect(p.entry).toBe('fund-withdraw');
    expect(p.file.endsWith('fund.yaml')).toBe(true);
    const entryLine = content.split('\n').indexOf('  - id: fund-withdraw') + 1;
    expect(p.line).toBeDefined();
    // The line points into the second entry, not the first.
    expect(p.line!).toBeGreaterThanOrEqual(entryLine);
    expect(p.line!).toBeLessThanOrEqual(content.split('\n').length);
    expect(formatProblem(p)).toContain(`fund.yaml:${p.line}`);
    expect(formatProblem(p)).toContain('fund-withdraw');
  });

  it('reports an invalid link URL', () => {
    const content = knowledgeFile('housing-fund', entry('fund-ok'), entry('fund-balance', { url: 'not a url' }));
    const dir = tempKb({ 'fund.yaml': content });
    const problems = problemsOf(() => loadKnowledgeBase(dir));
    const p = find(problems, (x) => x.field?.startsWith('links') === true);
    expect(p.entry).toBe('fund-balance');
    expect(p.field).toContain('url');
    expect(p.file.endsWith('fund.yaml')).toBe(true);
    expect(p.line).toBe(content.split('\n').findIndex((l) => l.includes('not a url')) + 1);
  });

  it('rejects a non-http link such as javascript:', () => {
    const dir = tempKb({ 'fund.yaml': knowledgeFile('housing-fund', entry('fund-balance', { url: 'javascript:alert(1)' })) });
    const problems = problemsOf(() => loadKnowledgeBase(dir));
    find(problems, (x) => x.field?.includes('url') === true);
  });

  it('reports a duplicate id across two files, naming the earlier file', () => {
    const dir = tempKb({
      'a-fund.yaml': knowledgeFile('housing-fund', entry('shared-id')),
      'b-passport.yaml': knowledgeFile('public-security', entry('shared-id')),
    });
    const problems = problemsOf(() => loadKnowledgeBase(dir));
    expect(problems).toHaveLength(1);
    const p = problems[0]!;
    expect(p.entry).toBe('shared-id');
    expect(p.file.endsWith('b-passport.yaml')).toBe(true);
    expect(p.message).toContain('a-fund.yaml');
  });

  it('reports an unknown department', () => {
    const dir = tempKb({ 'tax.yaml': knowledgeFile('taxation', entry('tax-refund')) });
    const problems = problemsOf(() => loadKnowledgeBase(dir));
    const p = find(problems, (x) => x.field === 'department');
    expect(p.entry).toBe('tax-refund');
    expect(p.message).toContain('taxation');
    expect(p.file.endsWith('tax.yaml')).toBe(true);
  });

  it('reports every problem at once, across files', () => {
    const dir = tempKb({
      'a.yaml': knowledgeFile('housing-fund', entry('fund-balance', { answer: false })),
      'b.yaml': knowledgeFile('taxation', entry('tax-refund')),
    });
    const problems = problemsOf(() => loadKnowledgeBase(dir));
    expect(problems.some((p) => p.entry === 'fund-balance' && p.field === 'answer')).toBe(true);
    expect(problems.some((p) => p.entry === 'tax-refund' && p.field === 'department')).toBe(true);
  });

  it('the error message lists the problems for the operator', () => {
    const dir = tempKb({ 'tax.yaml': knowledgeFile('taxation', entry('tax-refund')) });
    let message = '';
    try {
      loadKnowledgeBase(dir);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('tax.yaml');
    expect(message).toContain('tax-refund');
    expect(message).toContain('1 problem');
  });

  it('reports a folder without any entries', () => {
    const problems = problemsOf(() => loadKnowledgeBase(tempKb({})));
    expect(problems[0]!.message).toMatch(/no knowledge-base entries/);
  });
});

describe('loadKnowledgeBase: JSON eval format', () => {
  const jsonFile = (content: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'huiying-json-'));
    const path = join(dir, 'kb.json');
    writeFileSync(path, content, 'utf8');
    return path;
  };

  it('loads entries with questions and answer', () => {
    const kb = loadKnowledgeBase(jsonFile('{"entries":[{"id":"a","questions":["q1","q2"],"answer":"x"}]}'));
    expect(kb.entries).toHaveLength(1);
    const e = kb.entries[0]!;
    expect(e.id).toBe('a');
    const allQuestions = [...(e.questions.zh ?? []), ...(e.questions.en ?? [])];
    expect(allQuestions).toEqual(['q1', 'q2']);
    expect(Object.values(e.answer)).toEqual(['x']);
    expect(kb.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(kb.departments.map((d) => d.id)).toContain(e.department);
  });

  it('sorts Chinese and English questions by language', () => {
    const kb = loadKnowledgeBase(
      jsonFile(JSON.stringify({ entries: [{ id: 7, questions: ['居住证怎么办', 'How do I get a residence permit?'], answer: '到派出所办理。' }] })),
    );
    const e = kb.entries[0]!;
    expect(e.id).toBe('7');
    expect(e.questions.zh).toEqual(['居住证怎么办']);
    expect(e.questions.en).toEqual(['How do I get a residence permit?']);
    expect(e.answer.zh).toBe('到派出所办理。');
  });

  it('gives a KnowledgeError naming the file for invalid JSON', () => {
    const path = jsonFile('{"entries": [ {"id": "a", ');
    const problems = problemsOf(() => loadKnowledgeBase(path));
    expect(problems[0]!.file).toBe(path);
    expect(problems[0]!.message).toMatch(/JSON/);
  });

  it('gives a KnowledgeError for JSON without questions', () => {
    const path = jsonFile('{"entries":[{"id":"a","questions":[]}]}');
    const problems = problemsOf(() => loadKnowledgeBase(path));
    expect(problems[0]!.file).toBe(path);
    expect(problems[0]!.field).toContain('questions');
  });
});

describe('the sample knowledge base in /work/main/knowledge', () => {
  const kb: KnowledgeBase = loadKnowledgeBase(join(import.meta.dirname, '..', 'knowledge'));

  it('has at least 80 entries', () => {
    expect(kb.entries.length).toBeGreaterThanOrEqual(80);
  });

  it('uses at least 10 departments, all of them declared', () => {
    const used = new Set(kb.entries.map((e) => e.department));
    expect(used.size).toBeGreaterThanOrEqual(10);
    const declared = new Set(kb.departments.map((d) => d.id));
    for (const d of used) expect(declared.has(d), d).toBe(true);
  });

  it('gives every entry at least 6 Chinese questions', () => {
    const short = kb.entries.filter((e) => (e.questions.zh?.length ?? 0) < 6).map((e) => e.id);
    expect(short).toEqual([]);
  });

  it('has at least 30 entries with English questions and answers', () => {
    const bilingual = kb.entries.filter((e) => (e.questions.en?.length ?? 0) > 0 && (e.answer.en?.trim().length ?? 0) > 0);
    expect(bilingual.length).toBeGreaterThanOrEqual(30);
  });

  it('has unique entry ids', () => {
    const ids = kb.entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('reloading a knowledge folder', () => {
  it('sees every change made between two loads: an edited file, a removed one, a broken one, a fixed one', () => {
    const dir = tempKb({ 'fund.yaml': knowledgeFile('housing-fund', entry('fund-a'), entry('fund-b')), 'ids.yaml': knowledgeFile('public-security', entry('id-a')) });
    const ids = (kb: KnowledgeBase): string[] => kb.entries.map((e) => e.id).sort();
    expect(ids(loadKnowledgeBase(dir))).toEqual(['fund-a', 'fund-b', 'id-a']);

    writeFileSync(join(dir, 'fund.yaml'), knowledgeFile('housing-fund', entry('fund-a'), entry('fund-c')));
    rmSync(join(dir, 'ids.yaml'));
    const edited = loadKnowledgeBase(dir);
    expect(ids(edited)).toEqual(['fund-a', 'fund-c']);

    writeFileSync(join(dir, 'fund.yaml'), knowledgeFile('housing-fund', entry('fund-a', { answer: false })));
    expect(() => loadKnowledgeBase(dir)).toThrow(/fund\.yaml/);

    writeFileSync(join(dir, 'fund.yaml'), knowledgeFile('housing-fund', entry('fund-a'), entry('fund-c')));
    const fixed = loadKnowledgeBase(dir);
    expect(ids(fixed)).toEqual(['fund-a', 'fund-c']);
    // The same content as two loads ago: the same hash, so the cached model serves it.
    expect(fixed.hash).toBe(edited.hash);
  });
});
