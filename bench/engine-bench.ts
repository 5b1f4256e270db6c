/**
 * `npm run bench`: per-message latency (p50/p99) and messages/s of the engine, and training time, on the
 * shipped knowledge base and on a generated 1,000-entry one, beside plain node-nlp on the same data.
 * `npm run bench -- --scale`: the Taipei FAQ at 1,000 and 10,000 entries instead (bench/scale-bench.ts).
 */
import { Engine } from '../src/core/engine.ts';
import { evaluateNodeNlp } from '../src/eval/nodenlp-baseline.ts';
import { loadKnowledgeBase } from '../src/knowledge/knowledge-loader.ts';
import type { KnowledgeBase, KnowledgeEntry } from '../src/knowledge/types.ts';
import { loadOrTrainModel } from '../src/nlu/bot-model.ts';
import { runScaleBench } from './scale-bench.ts';

const DISTRICTS = ['东城区', '西城区', '南山区', '北湖区', '高新区', '经开区', '临江区', '长宁区', '滨海新区', '城关区'];

/** 990+ entries: every shipped entry once per district, its questions naming the district. */
function generated(base: KnowledgeBase, perEntry: number): KnowledgeBase {
  const entries: KnowledgeEntry[] = [];
  for (const district of DISTRICTS) {
    for (const e of base.entries) {
      entries.push({
        ...e,
        id: `${e.id}-${entries.length}`,
        title: { zh: `${district}${e.title.zh ?? ''}` },
        questions: { zh: (e.questions.zh ?? []).slice(0, perEntry).map((q) => `${district}${q}`) },
        answer: { zh: `${district}：${e.answer.zh ?? ''}` },
      });
    }
  }
  return { ...base, entries, hash: `generated-${entries.length}` };
}

const OPENINGS = ['', '请问', '你好，', '我想问下', '麻烦问一下', '咨询一下', '急！', '老家在外地，', '帮忙看看：', '想了解'];
const ENDINGS = ['', '？', '，谢谢', '，在线等', '呢', '，怎么弄', '，多久能好', '，要钱吗', '，周末能办吗', '，去哪里办'];

/** The largest case: `count` entries with `perEntry` questions each (shipped questions with openings and endings). */
function wide(base: KnowledgeBase, count: number, perEntry: number): KnowledgeBase {
  const entries: KnowledgeEntry[] = [];
  for (let n = 0; n < count; n++) {
    const e = base.entries[n % base.entries.length]!;
    const district = n < base.entries.length ? '' : DISTRICTS[Math.floor(n / base.entries.length) - 1];
    const own = e.questions.zh ?? [];
    const questions = Array.from({ length: perEntry }, (_, i) => `${OPENINGS[i % 10]}${district}${own[i % own.length]}${ENDINGS[Math.floor(i / 10) % 10]}`);
    entries.push({ ...e, id: `${e.id}-${n}`, questions: { zh: questions }, answer: { zh: e.answer.zh ?? '' }, title: { zh: `${district}${e.title.zh ?? ''}` } });
  }
  return { ...base, entries, hash: `wide-${count}x${perEntry}` };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function measure(name: string, kb: KnowledgeBase): Promise<void> {
  const questions = kb.entries.flatMap((e) => (e.questions.zh ?? []).slice(0, 2));
  const model = await loadOrTrainModel(kb, null);
  const engine = new Engine(model, [], { analysisCacheSize: 0 });
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < questions.length; i++) {
    const t = performance.now();
    await engine.respond({ channel: 'bench', conversationId: `b${i}`, senderId: 'b', text: questions[i]!, time: new Date() }, { misses: 0 });
    times.push(performance.now() - t);
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  console.log(
    `| ${name} | Huiying | ${kb.entries.length} | ${percentile(times, 0.5).toFixed(2)} | ${percentile(times, 0.99).toFixed(2)} | ${Math.round((questions.length / total) * 1000)} | ${model.trainMs} |`,
  );
  const nlp = await evaluateNodeNlp(kb, questions.map((text) => ({ text, expect: null })));
  const nlpRate = Math.round(1000 / Math.max(0.001, (nlp.p50Ms + nlp.p99Ms) / 2));
  console.log(`| ${name} | node-nlp defaults | ${kb.entries.length} | ${nlp.p50Ms} | ${nlp.p99Ms} | ~${nlpRate} | ${nlp.trainMs} |`);
}

if (process.argv.includes('--scale')) {
  await runScaleBench(process.argv.slice(2));
} else {
  const shipped = loadKnowledgeBase('knowledge');
  console.log('| knowledge base | engine | entries | p50 ms | p99 ms | messages/s (one core) | train ms |');
  console.log('|---|---|---|---|---|---|---|');
  await measure('shipped sample', shipped);
  await measure('150 entries × 100 questions', wide(shipped, 150, 100));
  await measure('generated', generated(shipped, 6));
}
