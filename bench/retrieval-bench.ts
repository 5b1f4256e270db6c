/**
 * Engine v2 retrieval at scale (issue 15): builds an EntryIndex on the Taipei FAQ crossed with districts
 * (bench/support/taipei-scale.ts) and reports build ms, heap and RSS after the build, peak RSS, the packed
 * model's bytes, p50/p99 per query and queries/s on one core over the held-out questions, and top-1 accuracy
 * on the answerable ones. Retrieval only: no answer / ask-back / refusal decision.
 *
 *   npx tsx bench/retrieval-bench.ts [--entries 1000] [--questions 20] [--cases 2000] [--faq FILE]
 */
import { EntryIndex } from '../src/nlu/entry-index.ts';
import { Latencies } from './support/latency.ts';
import { taipeiScaleBase, TAIPEI_FAQ } from './support/taipei-scale.ts';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

function mb(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}

function main(): void {
  const entries = Number(option('entries', '1000'));
  const questions = Number(option('questions', '20'));
  const caseCount = Number(option('cases', '2000'));
  const faqPath = option('faq', TAIPEI_FAQ);

  const generated = performance.now();
  const { kb, cases } = taipeiScaleBase(entries, questions, { faqPath, caseCount });
  const generateMs = performance.now() - generated;
  const texts = kb.entries.reduce((n, e) => n + (e.questions.zh?.length ?? 0) + (e.questions.en?.length ?? 0), 0);

  const started = performance.now();
  const index = EntryIndex.build(kb);
  const buildMs = performance.now() - started;
  const afterBuild = process.memoryUsage();
  const modelBytes = index.toBuffer({ shared: true }).byteLength;

  // Warm up (jieba, OpenCC, JIT), then time every held-out question once.
  for (const c of cases.slice(0, 200)) index.retrieve(c.text, 5);
  const latencies = new Latencies();
  let right = 0;
  let inScope = 0;
  const misses: string[] = [];
  const queried = performance.now();
  for (const c of cases) {
    const t = performance.now();
    const top = index.retrieve(c.text, 5);
    latencies.add(performance.now() - t);
    if (c.expect === null) continue;
    inScope++;
    if (top[0]?.entry.id === c.expect) right++;
    else if (misses.length < 5) misses.push(`${c.text} -> ${top[0]?.entry.id ?? 'nothing'} (expected ${c.expect})`);
  }
  const queryMs = performance.now() - queried;

  // The same questions with their terms computed beforehand: the search alone, without normalisation and jieba.
  const terms = cases.map((c) => index.textTerms.terms(c.text));
  const searched = performance.now();
  for (const t of terms) index.retrieveTerms(t, 5);
  const searchMs = performance.now() - searched;

  const report = {
    base: `${entries} entries x ${questions} questions (${texts} question texts), ${cases.length} held-out questions (${inScope} answerable)`,
    generateMs: Math.round(generateMs),
    buildMs: Math.round(buildMs),
    questionDocs: index.questions.docCount,
    questionTerms: index.questions.termCount,
    profileDocs: index.profiles.docCount,
    heapAfterBuildMb: mb(afterBuild.heapUsed),
    rssAfterBuildMb: mb(afterBuild.rss),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    modelBytes,
    p50Ms: Number(latencies.percentile(0.5).toFixed(3)),
    p99Ms: Number(latencies.percentile(0.99).toFixed(3)),
    queriesPerSecond: Math.round((cases.length / queryMs) * 1000),
    searchOnlyMsPerQuery: Number((searchMs / cases.length).toFixed(3)),
    top1: `${right} / ${inScope} = ${(right / inScope).toFixed(3)}`,
    firstMisses: misses,
  };
  console.log(JSON.stringify(report, null, 2));
}

main();
