/** Adapters from the public evaluation datasets (../shared/datasets) to a knowledge base plus cases. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KnowledgeBase, KnowledgeEntry } from '../knowledge/types.ts';
import { seededRandom, shuffle } from '../nlu/random.ts';
import type { EvalCase } from './eval-cases.ts';

export interface Benchmark {
  name: string;
  kb: KnowledgeBase;
  cases: EvalCase[];
}

function knowledgeFrom(groups: Map<string, string[]>, lang: 'zh' | 'en'): KnowledgeBase {
  const entries: KnowledgeEntry[] = [...groups].map(([id, questions]) => ({
    id,
    department: 'general',
    title: { [lang]: id },
    questions: { [lang]: questions },
    answer: { [lang]: id },
    keywords: [],
    synonyms: {},
    file: 'dataset',
  }));
  return { entries, departments: [{ id: 'general', name: { zh: 'general', en: 'general' } }], hash: '' };
}

/** Braun et al. 2017: the official train/test split; the `None` intent's test sentences are unanswerable. */
export function braun2017(dir: string, corpus: 'Chatbot' | 'AskUbuntu' | 'WebApplications'): Benchmark {
  const data = JSON.parse(readFileSync(join(dir, 'braun2017', `${corpus}Corpus.json`), 'utf8')) as {
    sentences: Array<{ text: string; intent: string; training: boolean }>;
  };
  const groups = new Map<string, string[]>();
  for (const s of data.sentences) {
    if (s.training && s.intent !== 'None') groups.set(s.intent, [...(groups.get(s.intent) ?? []), s.text]);
  }
  const cases = data.sentences
    .filter((s) => !s.training)
    .map((s) => ({ text: s.text, expect: s.intent === 'None' || !groups.has(s.intent) ? null : s.intent }));
  return { name: `braun2017 ${corpus}`, kb: knowledgeFrom(groups, 'en'), cases };
}

/**
 * SMP2019-ECDT (train split only is public): classes are domain.intent with at least 5 utterances;
 * with a fixed seed, 20% of the classes are left out entirely (their utterances become unanswerable
 * cases) and 20% of each remaining class is held out as answerable cases.
 */
export function smp2019(dir: string, seed = 2019): Benchmark {
  // The published file writes missing intents as a bare NaN, which JSON does not allow.
  const source = readFileSync(join(dir, 'smp2019', 'train.json'), 'utf8').replace(/:\s*NaN\b/g, ': null');
  const data = (JSON.parse(source) as Array<{ text: string; domain: string; intent: string | null }>).filter(
    (d) => typeof d.intent === 'string',
  );
  const byClass = new Map<string, string[]>();
  for (const d of data) {
    const id = `${d.domain}.${d.intent}`;
    byClass.set(id, [...(byClass.get(id) ?? []), d.text]);
  }
  const random = seededRandom(seed);
  const classes = shuffle([...byClass.keys()].filter((k) => byClass.get(k)!.length >= 5).sort(), random);
  const leftOut = new Set(classes.slice(0, Math.round(classes.length * 0.2)));
  const groups = new Map<string, string[]>();
  const cases: EvalCase[] = [];
  for (const id of classes) {
    const texts = shuffle([...byClass.get(id)!], random);
    if (leftOut.has(id)) {
      for (const t of texts.slice(0, 10)) cases.push({ text: t, expect: null });
      continue;
    }
    const test = Math.max(1, Math.round(texts.length * 0.2));
    for (const t of texts.slice(0, test)) cases.push({ text: t, expect: id });
    groups.set(id, texts.slice(test));
  }
  return { name: 'SMP2019 (own split)', kb: knowledgeFrom(groups, 'zh'), cases };
}
