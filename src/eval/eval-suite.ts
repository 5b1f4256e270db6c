/** `npm run eval`: the shipped held-out test set and the public datasets, each beside plain node-nlp. */
import { existsSync } from 'node:fs';
import { loadKnowledgeBase } from '../knowledge/knowledge-loader.ts';
import { readCases } from './eval-cases.ts';
import { evaluateKnowledgeBase } from './evaluate.ts';
import type { EvalMetrics } from './metrics.ts';
import { evaluateNodeNlp } from './nodenlp-baseline.ts';
import { braun2017, smp2019, type Benchmark } from './public-datasets.ts';

const COLUMNS = ['accuracy', 'oosRecall', 'oosPrecision', 'oosF1', 'clarifyRate', 'p50Ms', 'p99Ms', 'trainMs'] as const;

function row(name: string, method: string, m: EvalMetrics): string {
  return `| ${name} | ${method} | ${m.answerable}/${m.unanswerable} | ${COLUMNS.map((c) => m[c]).join(' | ')} |`;
}

export async function runEvalSuite(datasetsDir: string): Promise<void> {
  const benchmarks: Benchmark[] = [
    { name: 'Huiying test set', kb: loadKnowledgeBase('knowledge'), cases: readCases('test/eval/cases.jsonl') },
  ];
  if (existsSync(datasetsDir)) {
    for (const c of ['Chatbot', 'AskUbuntu', 'WebApplications'] as const) benchmarks.push(braun2017(datasetsDir, c));
    benchmarks.push(smp2019(datasetsDir));
  } else {
    console.error(`${datasetsDir} not found: running the shipped test set only`);
  }
  console.log(`| dataset | method | cases (answerable/unanswerable) | ${COLUMNS.join(' | ')} |`);
  console.log(`|---|---|---|${COLUMNS.map(() => '---').join('|')}|`);
  for (const b of benchmarks) {
    console.log(row(b.name, 'Huiying', await evaluateKnowledgeBase(b.kb, b.cases)));
    console.log(row(b.name, 'node-nlp defaults', await evaluateNodeNlp(b.kb, b.cases)));
  }
}
