/** Plain node-nlp with its default settings (stock language pipelines), run on the same data for comparison. */
import type { KnowledgeBase } from '../knowledge/types.ts';
import { detectLanguage } from '../nlu/language.ts';
import type { EvalCase } from './eval-cases.ts';
import { score, type CaseResult, type EvalMetrics } from './metrics.ts';

/** node-nlp's NlpManager (every language's data), imported only when the baseline runs. */
async function nlpManagerClass(): Promise<(typeof import('node-nlp'))['NlpManager']> {
  const nlp = (await import('node-nlp')).default as unknown as typeof import('node-nlp');
  return nlp.NlpManager;
}

export async function evaluateNodeNlp(kb: KnowledgeBase, cases: readonly EvalCase[]): Promise<EvalMetrics> {
  const NlpManager = await nlpManagerClass();
  const languages = (['zh', 'en'] as const).filter((l) => kb.entries.some((e) => (e.questions[l]?.length ?? 0) > 0));
  const manager = new NlpManager({ languages, autoSave: false, autoLoad: false, nlu: { log: false } });
  for (const e of kb.entries) {
    for (const lang of languages) for (const q of e.questions[lang] ?? []) manager.addDocument(lang, q, e.id);
  }
  const started = performance.now();
  await manager.train();
  const trainMs = performance.now() - started;
  const results: CaseResult[] = [];
  for (const c of cases) {
    const t = performance.now();
    const lang = detectLanguage(c.text);
    const r = await manager.process(languages.includes(lang) ? lang : languages[0]!, c.text);
    const ms = performance.now() - t;
    const none = !r.intent || r.intent === 'None';
    results.push({ expect: c.expect, outcome: none ? 'unanswered' : 'answered', top: none ? null : r.intent, ms });
  }
  return score(results, trainMs);
}
