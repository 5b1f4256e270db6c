/** The project's own labelled set: the sample knowledge folder and the held-out cases written independently of it. */
import { loadKnowledgeBase } from '../knowledge/knowledge-loader.ts';
import { readCases } from './eval-cases.ts';
import { defaultFolds, type LabelledSet } from './public-datasets.ts';

export function projectTestSet(knowledgeDir = 'knowledge', casesFile = 'test/eval/cases.jsonl'): LabelledSet {
  const kb = loadKnowledgeBase(knowledgeDir);
  const training = new Map(kb.entries.map((e) => [e.id, [...(e.questions.zh ?? []), ...(e.questions.en ?? [])]]));
  const folds = defaultFolds(training.keys());
  return {
    name: 'Huiying test set',
    lang: 'zh',
    split: `${knowledgeDir}/ trains, ${casesFile} tests (its unanswerable questions written by hand)`,
    training,
    cases: readCases(casesFile),
    oosFolds: folds.folds,
    oosProtocol: folds.protocol,
    folder: knowledgeDir,
  };
}
