/**
 * A knowledge base at scale from the Taipei City FAQ (../shared/datasets/taipei-faq/faq.json): its entries
 * crossed with Taipei's 12 districts, each question rewritten to name the district and varied by fixed
 * templates; plus held-out test questions (another template of an entry in the base, or a question about
 * an entry left out of the base). Deterministic: the same size gives the same base and questions.
 */
import { readFileSync } from 'node:fs';
import type { EvalCase } from '../../src/eval/eval-cases.ts';
import { answerText } from '../../src/knowledge/html-answer.ts';
import { hashedDepartmentId } from '../../src/knowledge/import-output.ts';
import type { Department, KnowledgeBase, KnowledgeEntry } from '../../src/knowledge/types.ts';

export const TAIPEI_FAQ = '../shared/datasets/taipei-faq/faq.json';

const DISTRICTS = ['中正', '大同', '中山', '松山', '大安', '萬華', '信義', '士林', '北投', '內湖', '南港', '文山'].map((d) => `${d}區`);

/** Ways citizens put a question; `d` is the district, `q` the question without its final punctuation, `k` its keywords. */
type Template = (d: string, q: string, k: string) => string;

const BASE_TEMPLATES: Template[] = [
  (d, q) => `${d}${q}？`,
  (d, q) => `請問${d}${q}`,
  (d, q) => `${d}${q}怎麼辦`,
  (d, q) => `${q}，${d}要去哪裡辦`,
  (d, q) => `我住${d}，${q}`,
  (d, q, k) => `${d} ${k}`,
  (d, q) => `想問一下${d}${q}`,
  (d, q) => `${d}${q}要帶什麼`,
  (d, q) => `${q}（${d}）`,
  (d, q) => `麻煩問${d}的${q}`,
  (d, q) => `${d}${q}，謝謝`,
  (d, q, k) => `${k}？${d}`,
  (d, q) => `你好，${d}${q}`,
  (d, q) => `${d}${q}嗎`,
  (d, q) => `${d}${q}要多久`,
  (d, q) => `${d}${q}要錢嗎`,
  (d, q) => `急！${d}${q}`,
  (d, q) => `${d}的${q}是什麼`,
  (d, q) => `${q}？住在${d}`,
  (d, q) => `${d}這邊${q}在哪裡問`,
];

/** Templates never used in a base: the held-out questions. */
const TEST_TEMPLATES: Template[] = [
  (d, q) => `${d}${q}該怎麼處理`,
  (d, q) => `請教一下，${d}${q}`,
  (d, q) => `我在${d}，想知道${q}`,
];

/** The largest number of questions per entry the templates give. */
export const MAX_QUESTIONS_PER_ENTRY = BASE_TEMPLATES.length;

interface SourceEntry {
  id: string;
  department: string;
  question: string;
  answer: string;
  keywords?: string[];
}

export interface ScaleBase {
  kb: KnowledgeBase;
  /** Held-out questions: `expect` is the entry id, or null for a question about an entry left out of the base. */
  cases: EvalCase[];
}

/**
 * `size` entries with `questionsPerEntry` questions each (at most MAX_QUESTIONS_PER_ENTRY), and `caseCount`
 * test questions, three in four answerable. Every tenth FAQ entry (by id) is left out: the unanswerable ones.
 */
export function taipeiScaleBase(size: number, questionsPerEntry: number, options: { faqPath?: string; caseCount?: number } = {}): ScaleBase {
  if (questionsPerEntry < 1 || questionsPerEntry > MAX_QUESTIONS_PER_ENTRY) {
    throw new Error(`questions per entry must be 1 to ${MAX_QUESTIONS_PER_ENTRY}, not ${questionsPerEntry}`);
  }
  const source = readFaq(options.faqPath ?? TAIPEI_FAQ);
  const kept = source.filter((_, i) => i % 10 !== 9);
  const left = source.filter((_, i) => i % 10 === 9);
  if (size > kept.length * DISTRICTS.length) throw new Error(`at most ${kept.length * DISTRICTS.length} entries can be made from ${source.length} FAQ entries`);

  const answers = new Map<string, string>();
  const entries: KnowledgeEntry[] = [];
  for (let n = 0; n < size; n++) {
    const e = kept[n % kept.length]!;
    const district = DISTRICTS[Math.floor(n / kept.length)]!;
    const question = core(e.question);
    const keywords = keywordText(e);
    let answer = answers.get(e.id);
    if (answer === undefined) {
      answer = answerText(e.answer);
      answers.set(e.id, answer);
    }
    entries.push({
      id: `${e.id.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${n}`,
      department: hashedDepartmentId(e.department),
      title: { zh: `${district}${question}` },
      questions: { zh: [...new Set(BASE_TEMPLATES.slice(0, questionsPerEntry).map((t) => t(district, question, keywords)))] },
      answer: { zh: `${district}：${answer}` },
      keywords: e.keywords ?? [],
      synonyms: {},
      file: 'taipei-scale',
    });
  }
  const names = new Map(source.map((e) => [hashedDepartmentId(e.department), e.department]));
  const used = new Set(entries.map((e) => e.department));
  const departments: Department[] = [...used].sort().map((id) => ({ id, name: { zh: names.get(id) ?? id } }));
  const kb: KnowledgeBase = { entries, departments, hash: `taipei-scale-${size}x${questionsPerEntry}` };

  const caseCount = options.caseCount ?? 2000;
  const answerable = left.length > 0 ? Math.round((caseCount * 3) / 4) : caseCount;
  const cases: EvalCase[] = [];
  for (let i = 0; i < answerable; i++) {
    const n = Math.floor((i * size) / answerable);
    const e = kept[n % kept.length]!;
    const district = DISTRICTS[Math.floor(n / kept.length)]!;
    cases.push({ text: TEST_TEMPLATES[i % TEST_TEMPLATES.length]!(district, core(e.question), keywordText(e)), expect: entries[n]!.id });
  }
  for (let i = 0; i < caseCount - answerable; i++) {
    const e = left[i % left.length]!;
    const district = DISTRICTS[i % DISTRICTS.length]!;
    cases.push({ text: TEST_TEMPLATES[i % TEST_TEMPLATES.length]!(district, core(e.question), keywordText(e)), expect: null });
  }
  return { kb, cases };
}

function readFaq(path: string): SourceEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read the Taipei FAQ (${(e as Error).message}); pass --faq <file>`);
  }
  if (!Array.isArray(data)) throw new Error(`${path}: expected a JSON array of FAQ entries`);
  return (data as SourceEntry[])
    .filter((e) => typeof e.question === 'string' && e.question.trim() && typeof e.answer === 'string' && e.answer.trim())
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The question without a leading 請問 and its final punctuation. */
function core(question: string): string {
  return question.replace(/\s+/g, ' ').trim().replace(/^請問[，,]?/, '').replace(/[？?。.!！\s]+$/u, '');
}

/** The keywords as a short query; the start of the question when there are none. */
function keywordText(e: SourceEntry): string {
  const keywords = (e.keywords ?? []).filter((k) => k.trim());
  return keywords.length > 0 ? keywords.join(' ') : [...core(e.question)].slice(0, 8).join('');
}
