/**
 * Live edits at scale: builds an EntryIndex on the Taipei FAQ crossed with districts (bench/support/taipei-scale.ts),
 * then times LiveEntryIndex.apply for one published entry, one edit and one retirement (median of 5 each, ms),
 * the first retrieval after each, and checks that the edited entry answers its new wording.
 *
 *   npx tsx bench/live-edit-bench.ts [--entries 10000] [--questions 12] [--faq FILE]
 */
import type { KnowledgeBase, KnowledgeEntry } from '../src/knowledge/types.ts';
import { EntryIndex } from '../src/nlu/entry-index.ts';
import { LiveEntryIndex } from '../src/nlu/live-entry-index.ts';
import { taipeiScaleBase, TAIPEI_FAQ } from './support/taipei-scale.ts';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median ms of `runs` applications of `kb`, each from the index with nothing changed, and the last result. */
function timeApply(live: LiveEntryIndex, kb: KnowledgeBase, probe: string, runs = 5): { ms: number; retrieveMs: number; result: LiveEntryIndex } {
  const applyMs: number[] = [];
  const retrieveMs: number[] = [];
  let result = live;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = live.apply(kb);
    applyMs.push(performance.now() - t);
    const r = performance.now();
    result.retrieve(probe, 5);
    retrieveMs.push(performance.now() - r);
  }
  return { ms: median(applyMs), retrieveMs: median(retrieveMs), result };
}

function main(): void {
  const size = Number(option('entries', '10000'));
  const questions = Number(option('questions', '12'));
  const { kb } = taipeiScaleBase(size, questions, { faqPath: option('faq', TAIPEI_FAQ) });

  const started = performance.now();
  const base = EntryIndex.build(kb);
  const buildMs = performance.now() - started;
  const live = LiveEntryIndex.over(base, kb);
  live.retrieve('暖機', 5);

  const published: KnowledgeEntry = {
    id: 'live-bench-dog-registration',
    department: kb.entries[0]!.department,
    title: { zh: '養犬登記' },
    questions: { zh: ['養犬登記怎麼辦理', '養狗要辦狗證嗎', '犬隻登記需要帶什麼', '狗證在哪裡辦'] },
    answer: { zh: '攜犬隻預防注射證明至動物之家或指定獸醫院辦理寵物登記。' },
    keywords: ['養犬登記', '狗證'],
    synonyms: {},
    file: 'live-bench',
  };
  const publish = timeApply(live, { ...kb, entries: [...kb.entries, published] }, '家裡養了一條狗要去哪裡辦狗證');

  const at = Math.floor(kb.entries.length / 2);
  const edited: KnowledgeEntry = { ...kb.entries[at]!, questions: { zh: ['無人機在市區飛行要申請什麼許可', '空拍機飛行許可怎麼申請'] } };
  const editedEntries = kb.entries.slice();
  editedEntries[at] = edited;
  const editProbe = '想在公園飛無人機要去哪裡申請許可';
  const edit = timeApply(live, { ...kb, entries: editedEntries }, editProbe);
  const editTop = edit.result.retrieve(editProbe, 5);

  const retiredId = kb.entries[at + 1]!.id;
  const retire = timeApply(live, { ...kb, entries: kb.entries.filter((e) => e.id !== retiredId) }, kb.entries[at + 1]!.questions.zh![0]!);
  const retiredBack = retire.result.retrieve(kb.entries[at + 1]!.questions.zh![0]!, 50).some((c) => c.entry.id === retiredId);

  console.log(`base: ${kb.entries.length} entries x ${questions} questions, built in ${Math.round(buildMs)} ms`);
  console.log(`publish one entry (new keywords: a new segmenter): apply ${publish.ms.toFixed(1)} ms, first retrieve ${publish.retrieveMs.toFixed(1)} ms (median of 5)`);
  console.log(`edit one entry: apply ${edit.ms.toFixed(1)} ms, first retrieve ${edit.retrieveMs.toFixed(1)} ms (median of 5)`);
  console.log(`retire one entry: apply ${retire.ms.toFixed(1)} ms, first retrieve ${retire.retrieveMs.toFixed(1)} ms (median of 5)`);
  console.log(`published entry first for its paraphrase: ${publish.result.retrieve('家裡養了一條狗要去哪裡辦狗證', 1)[0]?.entry.id === published.id}`);
  console.log(`edited entry first for its new wording: ${editTop[0]?.entry.id === edited.id} (top: ${editTop[0]?.entry.id ?? 'nothing'})`);
  console.log(`retired entry among the top 50 for its own question: ${retiredBack}`);
  console.log(`changed share after the edit: ${(edit.result.changedShare * 100).toFixed(3)}%`);
}

main();
