/** `variants-*.yaml` files add question variants to an entry defined elsewhere; ids stay unique. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeError } from '../src/knowledge/knowledge-error.ts';
import { loadKnowledgeBase } from '../src/knowledge/knowledge-loader.ts';

let dir: string | undefined;
const copy = (): string => {
  dir = mkdtempSync(join(tmpdir(), 'huiying-variants-'));
  cpSync('knowledge', join(dir, 'knowledge'), { recursive: true });
  mkdirSync(join(dir, 'knowledge', 'published'));
  return join(dir, 'knowledge');
};

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('question variants files', () => {
  it('merges the questions into the entry, without duplicates', () => {
    const kb = copy();
    const before = loadKnowledgeBase(kb).entries.find((e) => e.id === 'household-hukou-transfer')!;
    const existing = before.questions.zh![0]!;
    writeFileSync(join(kb, 'published', 'variants-household-hukou-transfer.yaml'), `variantsOf: household-hukou-transfer\nquestions:\n  zh: ["迁户口去哪办", "${existing}"]\n`);
    const after = loadKnowledgeBase(kb);
    const entry = after.entries.find((e) => e.id === 'household-hukou-transfer')!;
    expect(entry.questions.zh).toEqual([...before.questions.zh!, '迁户口去哪办']);
    expect(after.entries.filter((e) => e.id === 'household-hukou-transfer')).toHaveLength(1);
  });

  it('reports variants of an unknown entry', () => {
    const kb = copy();
    writeFileSync(join(kb, 'published', 'variants-nothing.yaml'), 'variantsOf: nothing\nquestions:\n  zh: ["什么"]\n');
    expect(() => loadKnowledgeBase(kb)).toThrow(KnowledgeError);
    expect(() => loadKnowledgeBase(kb)).toThrow(/no entry "nothing"/);
  });
});
