/**
 * Demand-topic evaluation: groups the labelled set (test/demand-eval/labelled.jsonl) and scores purity, coverage and
 * NMI beside a plain TF-IDF + k-means reference, then times grouping of generated messages (default 100,000).
 * Usage: tsx bench/demand-eval.ts [--file F] [--speed N] (N = 0 skips the timing).
 */
import { readFileSync } from 'node:fs';
import { groupTopics } from '../src/demand/group-topics.ts';
import { scoreGrouping, type GroupingScores } from '../src/demand/topic-metrics.ts';
import { TopicFeaturizer } from '../src/demand/topic-features.ts';
import { normalize } from '../src/nlu/normalize.ts';
import { seededRandom } from '../src/nlu/random.ts';
import { sparseDot, type SparseVector } from '../src/nlu/sparse-vector.ts';
import { Tokenizer } from '../src/nlu/tokenize.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const file = arg('--file', 'test/demand-eval/labelled.jsonl');
const speedN = Number(arg('--speed', '100000'));

const rows = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { text: string; topic: string | null });
const labels = rows.map((r) => r.topic);
const topicCount = new Set(labels.filter((l) => l !== null)).size;

interface Row extends GroupingScores {
  method: string;
  topics: number;
  ms: number;
}
const table: Row[] = [];

const featurizer = new TopicFeaturizer();
{
  const t0 = performance.now();
  const result = groupTopics(rows.map((r) => ({ text: r.text })), { featurizer });
  const ms = performance.now() - t0;
  const assignment: Array<string | null> = rows.map(() => null);
  for (const t of result.topics) for (const m of t.members) assignment[m] = t.id;
  table.push({ method: 'huiying demand topics', topics: result.topics.length, ms, ...scoreGrouping(assignment, labels) });
  if (args.includes('--show')) {
    for (const t of result.topics) {
      const counts = new Map<string, number>();
      for (const m of t.members) counts.set(String(labels[m]), (counts.get(String(labels[m])) ?? 0) + 1);
      console.log(`${t.size}\t${t.kind}\t${t.label}\t${[...counts].map(([k, v]) => `${k}:${v}`).join(' ')}`);
    }
    const missed = new Map<string, number>();
    for (const i of result.noise) missed.set(String(labels[i]), (missed.get(String(labels[i])) ?? 0) + 1);
    console.log('left out:', [...missed].map(([k, v]) => `${k}:${v}`).join(' '));
  }
}
{
  const t0 = performance.now();
  const assignment = kMeansReference(rows.map((r) => r.text), topicCount);
  const ms = performance.now() - t0;
  table.push({ method: `TF-IDF + k-means (k=${topicCount})`, topics: topicCount, ms, ...scoreGrouping(assignment, labels) });
}

console.log(`\n${file}: ${rows.length} messages, ${topicCount} labelled topics, ${labels.filter((l) => l === null).length} one-offs\n`);
console.log(['method'.padEnd(30), 'messages', 'topics', 'purity', 'coverage', 'NMI', 'noise out', 'ms'].join('  '));
for (const r of table) {
  console.log(
    [r.method.padEnd(30), String(rows.length).padStart(8), String(r.topics).padStart(6), r.purity.toFixed(3).padStart(6),
      r.coverage.toFixed(3).padStart(8), r.nmi.toFixed(3).padStart(5), r.noiseLeftOut.toFixed(3).padStart(9), r.ms.toFixed(0).padStart(6)].join('  '),
  );
}

if (speedN > 0) {
  const generated = generateMessages(rows.map((r) => r.text), speedN);
  // Repeated 250 times, a one-off of the labelled set is a topic of its own here.
  const generatedLabels = generated.map((g) => labels[g.base] ?? `one-off-${g.base}`);
  const t0 = performance.now();
  const result = groupTopics(generated, { featurizer });
  const s = (performance.now() - t0) / 1000;
  const assignment: Array<string | null> = generated.map(() => null);
  for (const t of result.topics) for (const m of t.members) assignment[m] = t.id;
  const q = scoreGrouping(assignment, generatedLabels);
  console.log(
    `\nspeed: ${speedN} generated messages (${result.timings.distinct} distinct) grouped in ${s.toFixed(1)} s: ${result.topics.length} topics, ` +
      `purity ${q.purity.toFixed(3)}, coverage ${q.coverage.toFixed(3)} (labels of the texts they were made from)`,
  );
  console.log(`stages (ms): ${JSON.stringify(result.timings)}`);
}

/** Plain reference: TF-IDF over jieba words, spherical k-means (k-means++ start, fixed seed), every message placed. */
function kMeansReference(texts: readonly string[], k: number): string[] {
  const tokenizer = new Tokenizer();
  const docs = texts.map((t) => {
    const counts = new Map<string, number>();
    for (const w of tokenizer.tokenize(normalize(t)).words) counts.set(w, (counts.get(w) ?? 0) + 1);
    return counts;
  });
  const df = new Map<string, number>();
  for (const d of docs) for (const w of d.keys()) df.set(w, (df.get(w) ?? 0) + 1);
  const index = new Map([...df.keys()].map((w, i) => [w, i]));
  const vectors: SparseVector[] = docs.map((d) => {
    const e = [...d].map(([w, c]) => [index.get(w)!, (1 + Math.log(c)) * (Math.log((1 + docs.length) / (1 + df.get(w)!)) + 1)] as const);
    e.sort((a, b) => a[0] - b[0]);
    const norm = Math.sqrt(e.reduce((s, [, v]) => s + v * v, 0)) || 1;
    return { idx: Int32Array.from(e, (x) => x[0]), val: Float32Array.from(e, (x) => x[1] / norm) };
  });
  const random = seededRandom(42);
  const centres: SparseVector[] = [vectors[Math.floor(random() * vectors.length)]!];
  while (centres.length < k) {
    const d2 = vectors.map((v) => 1 - Math.max(...centres.map((c) => sparseDot(v, c))));
    let r = random() * d2.reduce((a, b) => a + b, 0);
    let pick = 0;
    for (; pick < d2.length - 1 && r > d2[pick]!; pick++) r -= d2[pick]!;
    centres.push(vectors[pick]!);
  }
  let assign = vectors.map(() => 0);
  for (let iter = 0; iter < 30; iter++) {
    const next = vectors.map((v) => {
      let best = 0;
      let bestSim = -1;
      centres.forEach((c, ci) => {
        const s = sparseDot(v, c);
        if (s > bestSim) [best, bestSim] = [ci, s];
      });
      return best;
    });
    const changed = next.some((a, i) => a !== assign[i]);
    assign = next;
    for (let c = 0; c < k; c++) {
      const sum = new Map<number, number>();
      vectors.forEach((v, i) => {
        if (assign[i] !== c) return;
        for (let j = 0; j < v.idx.length; j++) sum.set(v.idx[j]!, (sum.get(v.idx[j]!) ?? 0) + v.val[j]!);
      });
      if (sum.size === 0) continue;
      const e = [...sum].sort((a, b) => a[0] - b[0]);
      const norm = Math.sqrt(e.reduce((s, [, v]) => s + v * v, 0)) || 1;
      centres[c] = { idx: Int32Array.from(e, (x) => x[0]), val: Float32Array.from(e, (x) => x[1] / norm) };
    }
    if (!changed) break;
  }
  return assign.map((a) => `k${a}`);
}

/** Messages made from the labelled texts with varied greetings, places, dates and endings, so few are exact duplicates. */
function generateMessages(texts: readonly string[], n: number): Array<{ text: string; time: Date; channel: string; base: number }> {
  const openers = ['', '', '您好，', '你好，请问', '领导好，', '麻烦问一下，', '市民来电：', '急！', 'Hi, '];
  const places = ['城东', '城西', '高新区', '滨江', '老城区', '开发区', '南湖', '北苑', '西山', '东郊'];
  const endings = ['', '', '谢谢', '，麻烦尽快回复', '。希望尽快处理', '？', '，急', ' thanks', '，盼复'];
  const channels = ['web', 'wechat', 'telegram', 'hotline'];
  const uniform = seededRandom(7);
  const random = (m: number): number => Math.floor(uniform() * m);
  const start = Date.UTC(2025, 0, 1);
  const out: Array<{ text: string; time: Date; channel: string; base: number }> = [];
  for (let i = 0; i < n; i++) {
    const index = random(texts.length);
    const base = texts[index]!;
    const place = places[random(places.length)]!;
    const text = `${openers[random(openers.length)]}${random(3) === 0 ? `我在${place}${random(40) + 1}号，` : ''}${base}${endings[random(endings.length)]}${random(4) === 0 ? ` ${random(28) + 1}日` : ''}`;
    out.push({ text, time: new Date(start + random(60) * 86_400_000 + random(86_400) * 1000), channel: channels[random(channels.length)]!, base: index });
  }
  return out;
}

