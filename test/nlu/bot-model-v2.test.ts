import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIntents } from '../../src/knowledge/intents-loader.ts';
import { loadKnowledgeBase } from '../../src/knowledge/knowledge-loader.ts';
import type { KnowledgeBase, KnowledgeEntry } from '../../src/knowledge/types.ts';
import { loadOrTrainModel } from '../../src/nlu/bot-model.ts';

const cache = mkdtempSync(join(tmpdir(), 'huiying-v2-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const kb = loadKnowledgeBase('knowledge');
const intents = loadIntents('intents');
const v2 = { engine: 'v2' as const, cacheDir: cache };

/** An entry the sample knowledge base does not have; its questions were written for this test. */
const DOG: KnowledgeEntry = {
  id: 'public-security-dog-registration',
  department: 'public-security',
  title: { zh: '养犬登记' },
  questions: { zh: ['养犬登记怎么办理', '养狗要办狗证吗', '犬只登记需要带什么材料', '狗证在哪里办'] },
  answer: { zh: '携犬只免疫证明到居住地派出所办理养犬登记。' },
  keywords: [],
  synonyms: {},
  file: 'test',
};

/** The sample knowledge base as staff changed it: entries edited, one retired, one published. */
function changed(name: string, edits: Partial<Record<string, string>>, retire: string[] = [], publish: KnowledgeEntry[] = []): KnowledgeBase {
  const entries = kb.entries
    .filter((e) => !retire.includes(e.id))
    .map((e) => (edits[e.id] ? { ...e, questions: { ...e.questions, zh: [...(e.questions.zh ?? []), edits[e.id]!] } } : e));
  return { ...kb, entries: [...entries, ...publish], hash: `${kb.hash}-${name}` };
}

const bins = (): number => readdirSync(cache).filter((f) => f.endsWith('.bin')).length;

describe('engine v2 model cache and live edits', () => {
  it('builds once, then loads the same content from the cache', { timeout: 120_000 }, async () => {
    const first = await loadOrTrainModel(kb, intents, v2);
    expect(first.fromCache).toBe(false);
    const again = await loadOrTrainModel(kb, intents, v2);
    expect(again.fromCache).toBe(true);
    expect(again.matcher.match('护照快过期了，怎么换新的').ids[0]).toBe('exit-entry-passport-renewal');
    expect((await again.intents!.recognize('你好', 'zh')).intent).toBe('greeting');
  });

  it('serves a few edits over the last full build, without building it again or training the intents', { timeout: 120_000 }, async () => {
    const intentFiles = (): number => readdirSync(cache).filter((f) => f.startsWith('intents-')).length;
    // New questions teach the segmenter no new words: the intents are not trained again.
    const questionsOnly = await loadOrTrainModel(changed('questions', { 'exit-entry-passport-renewal': '护照本子用完了怎么加页' }), intents, v2);
    expect(intentFiles()).toBe(1);
    expect(questionsOnly.matcher.match('护照本子用完了怎么加页').ids[0]).toBe('exit-entry-passport-renewal');

    const edited = changed('few', { 'exit-entry-passport-renewal': '护照本子用完了怎么加页' }, ['marriage-divorce'], [DOG]);
    const model = await loadOrTrainModel(edited, intents, v2);
    expect(model.fromCache).toBe(false);
    expect(bins()).toBe(1);
    expect(model.matcher.match('护照本子用完了怎么加页').ids[0]).toBe('exit-entry-passport-renewal');
    expect(model.matcher.match('养狗要去哪里办狗证').ids[0]).toBe(DOG.id);
    const divorce = model.matcher.match('离婚手续去哪里办，要准备哪些东西');
    expect(divorce.ids).not.toContain('marriage-divorce');
    expect(divorce.candidates.map((c) => c.id)).not.toContain('marriage-divorce');
    // Unchanged entries answer as before.
    expect(model.matcher.match('公司拖欠工资不发该去哪投诉').ids[0]).toBe('employment-wage-arrears-complaint');
  });

  it('builds in full, as the new base, once more than 5% of the entries changed', { timeout: 120_000 }, async () => {
    const many = Object.fromEntries(kb.entries.slice(0, 8).map((e) => [e.id, `${e.id} 的新问法`]));
    const model = await loadOrTrainModel(changed('many', many), intents, v2);
    expect(bins()).toBe(2);
    expect(model.matcher.match(`${kb.entries[3]!.id} 的新问法`).ids[0]).toBe(kb.entries[3]!.id);
  });

  it('builds again instead of failing when a cached file is damaged', { timeout: 120_000 }, async () => {
    for (const f of readdirSync(cache)) writeFileSync(join(cache, f), 'damaged');
    const model = await loadOrTrainModel(kb, intents, v2);
    expect(model.fromCache).toBe(false);
    expect(model.matcher.match('护照快过期了，怎么换新的').ids[0]).toBe('exit-entry-passport-renewal');
    expect((await model.intents!.recognize('谢谢你', 'zh')).intent).toBe('thanks');
  });
});
