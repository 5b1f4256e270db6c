/** Adapters from the public evaluation datasets (../shared/datasets) to labelled sets: training questions per intent plus test cases. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { EvalCase } from './eval-cases.ts';
import { intentFolds } from './folds.ts';
import { seededRandom, shuffle } from '../nlu/random.ts';

/** A labelled set as the suite measures it; `expect: null` in `cases` is unanswerable as published. */
export interface LabelledSet {
  name: string;
  lang: 'zh' | 'en';
  /** The train/test split, in words. */
  split: string;
  /** Training questions per intent: the knowledge base the engine learns. */
  training: Map<string, string[]>;
  cases: EvalCase[];
  /** Intents left out of training to measure out-of-scope, one list per fold; empty when the set is too small for it. */
  oosFolds: string[][];
  /** How `oosFolds` were made, in words. */
  oosProtocol: string;
  /** Train on this knowledge folder (less a fold's entries) instead of on `training`: the project's own set. */
  folder?: string;
}

/** Seed of the fixed-seed intent folds on every set that has no published out-of-scope split. */
export const FOLD_SEED = 15;
/** Folds of the leave-intents-out protocol: each leaves about a quarter of the intents out of training. */
export const FOLD_COUNT = 4;
/** Fewer intents than this and leaving a quarter out says nothing (braun2017 Chatbot has 2). */
const MIN_INTENTS_FOR_FOLDS = 4;

/** The fixed-seed leave-intents-out folds of a set with these intents, or none when it has too few. */
export function defaultFolds(intents: Iterable<string>): { folds: string[][]; protocol: string } {
  const ids = [...intents];
  if (ids.length < MIN_INTENTS_FOR_FOLDS) return { folds: [], protocol: `none (${ids.length} intents)` };
  return { folds: intentFolds(ids, FOLD_COUNT, FOLD_SEED), protocol: `${FOLD_COUNT} folds of the intents, seed ${FOLD_SEED}` };
}

function group(pairs: Iterable<{ text: string; intent: string }>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const { text, intent } of pairs) {
    const list = groups.get(intent);
    if (list) list.push(text);
    else groups.set(intent, [text]);
  }
  return groups;
}

function labelled(
  base: Omit<LabelledSet, 'oosFolds' | 'oosProtocol'>,
  folds: { folds: string[][]; protocol: string } = defaultFolds(base.training.keys()),
): LabelledSet {
  return { ...base, oosFolds: folds.folds, oosProtocol: folds.protocol };
}

/** Braun et al. 2017: the official train/test split; the `None` intent's test sentences are unanswerable. */
export function braun2017(dir: string, corpus: 'Chatbot' | 'AskUbuntu' | 'WebApplications'): LabelledSet {
  const data = JSON.parse(readFileSync(join(dir, 'braun2017', `${corpus}Corpus.json`), 'utf8')) as {
    sentences: Array<{ text: string; intent: string; training: boolean }>;
  };
  const training = group(data.sentences.filter((s) => s.training && s.intent !== 'None'));
  const cases = data.sentences
    .filter((s) => !s.training)
    .map((s) => ({ text: s.text, expect: s.intent === 'None' || !training.has(s.intent) ? null : s.intent }));
  return labelled({ name: `braun2017 ${corpus}`, lang: 'en', split: 'official train/test; None unanswerable', training, cases });
}

/** SMP2019-ECDT test share per class, and the seed of that split (only the train file is public). */
const SMP2019_TEST_SHARE = 0.2;
const SMP2019_SPLIT_SEED = 2019;

/**
 * SMP2019-ECDT: classes are domain.intent with at least 5 utterances; with a fixed seed, 20% of each
 * class's utterances (at least one) are test cases, the rest training.
 */
export function smp2019(dir: string, seed = SMP2019_SPLIT_SEED): LabelledSet {
  // The published file writes missing intents as a bare NaN, which JSON does not allow.
  const source = readFileSync(join(dir, 'smp2019', 'train.json'), 'utf8').replace(/:\s*NaN\b/g, ': null');
  const data = (JSON.parse(source) as Array<{ text: string; domain: string; intent: string | null }>).filter(
    (d): d is { text: string; domain: string; intent: string } => typeof d.intent === 'string',
  );
  const byClass = group(data.map((d) => ({ text: d.text, intent: `${d.domain}.${d.intent}` })));
  const random = seededRandom(seed);
  const training = new Map<string, string[]>();
  const cases: EvalCase[] = [];
  for (const id of [...byClass.keys()].filter((k) => byClass.get(k)!.length >= 5).sort()) {
    const texts = shuffle([...byClass.get(id)!], random);
    const test = Math.max(1, Math.round(texts.length * SMP2019_TEST_SHARE));
    for (const t of texts.slice(0, test)) cases.push({ text: t, expect: id });
    training.set(id, texts.slice(test));
  }
  return labelled({
    name: 'SMP2019',
    lang: 'zh',
    split: `own split: ${SMP2019_TEST_SHARE * 100}% of each class (≥5 utterances) as test, seed ${seed}`,
    training,
    cases,
  });
}

/**
 * The 27 intents Banking77-OOS (Zhang et al. 2021, "Are Pretrained Transformers Robust in Intent
 * Classification?") holds out as in-domain out-of-scope; the other 50 are in scope. The list is that
 * release's id-oos split (github.com/jianguoz/Few-Shot-Intent-Detection, Datasets/BANKING77-OOS).
 * Its out-of-domain part comes from CLINC150, which this project does not use.
 */
export const BANKING77_OOS_INTENTS: readonly string[] = [
  'exchange_rate', 'card_delivery_estimate', 'card_not_working', 'lost_or_stolen_card', 'age_limit',
  'pin_blocked', 'contactless_not_working', 'top_up_by_bank_transfer_charge', 'top_up_limits',
  'getting_virtual_card', 'card_acceptance', 'unable_to_verify_identity', 'get_physical_card',
  'topping_up_by_card', 'compromised_card', 'atm_support', 'passcode_forgotten', 'terminate_account',
  'card_swallowed', 'verify_source_of_funds', 'receiving_money', 'transfer_into_account',
  'top_up_by_cash_or_cheque', 'virtual_card_not_working', 'get_disposable_virtual_card',
  'top_up_by_card_charge', 'verify_my_identity',
];

function readBankingCsv(file: string): Array<{ text: string; intent: string }> {
  const rows = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  return rows.map((r, i) => {
    if (!r.text || !r.category) throw new Error(`${file}:${i + 2}: expected the columns text,category`);
    return { text: r.text, intent: r.category };
  });
}

/**
 * Banking77 (Casanueva et al. 2020): the official train/test split with all 77 intents known; its
 * out-of-scope measurement is Banking77-OOS, one fold leaving out the 27 intents of BANKING77_OOS_INTENTS.
 */
export function banking77(dir: string): LabelledSet {
  const categories = JSON.parse(readFileSync(join(dir, 'banking77', 'categories.json'), 'utf8')) as string[];
  const missing = BANKING77_OOS_INTENTS.filter((i) => !categories.includes(i));
  if (missing.length > 0) throw new Error(`banking77/categories.json lacks the Banking77-OOS intents ${missing.join(', ')}`);
  const training = group(readBankingCsv(join(dir, 'banking77', 'train.csv')));
  const cases = readBankingCsv(join(dir, 'banking77', 'test.csv')).map((r) => ({
    text: r.text,
    expect: training.has(r.intent) ? r.intent : null,
  }));
  return labelled(
    { name: 'Banking77', lang: 'en', split: 'official train/test, all 77 intents known', training, cases },
    { folds: [[...BANKING77_OOS_INTENTS]], protocol: 'Banking77-OOS: its 27 in-domain out-of-scope intents left out, 50 known' },
  );
}

/**
 * xSID Chinese (van der Goot et al. 2021): the official zh valid set trains, the zh test set tests;
 * test intents with no training sentence (alarm/time_left_on_alarm) are unanswerable.
 */
export function xsidZh(dir: string): LabelledSet {
  const file = join(dir, 'xsid-zh', 'data.jsonl');
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const r = JSON.parse(l) as { text?: unknown; label?: unknown; split?: unknown };
      if (typeof r.text !== 'string' || typeof r.label !== 'string' || (r.split !== 'train' && r.split !== 'test')) {
        throw new Error(`${file}:${i + 1}: expected {"text", "label", "split": "train"|"test"}`);
      }
      return { text: r.text, intent: r.label, split: r.split };
    });
  const training = group(rows.filter((r) => r.split === 'train'));
  const cases = rows
    .filter((r) => r.split === 'test')
    .map((r) => ({ text: r.text, expect: training.has(r.intent) ? r.intent : null }));
  return labelled({ name: 'xSID zh', lang: 'zh', split: 'official: zh valid trains, zh test tests', training, cases });
}
