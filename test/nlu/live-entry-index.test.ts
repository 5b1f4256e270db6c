import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/knowledge-loader.ts';
import type { KnowledgeBase, KnowledgeEntry } from '../../src/knowledge/types.ts';
import { EntryIndex } from '../../src/nlu/entry-index.ts';
import { LiveEntryIndex } from '../../src/nlu/live-entry-index.ts';

const kb = loadKnowledgeBase('knowledge');
const base = EntryIndex.build(kb);
const live = LiveEntryIndex.over(base, kb);

/** An entry the sample knowledge base does not have; its questions were written for this test. */
const DOG: KnowledgeEntry = {
  id: 'public-security-dog-registration',
  department: 'public-security',
  title: { zh: '养犬登记', en: 'Registering a dog' },
  questions: {
    zh: ['养犬登记怎么办理', '养狗要办狗证吗', '犬只登记需要带什么材料', '狗证在哪里办', '养犬许可证到期了怎么年检'],
    en: ['How do I register my dog?', 'Do I need a dog licence?'],
  },
  answer: { zh: '携犬只免疫证明到居住地派出所办理养犬登记。', en: 'Bring the vaccination record to the local police station.' },
  keywords: ['养犬登记', '狗证'],
  synonyms: {},
  file: 'test',
};

function withEntries(entries: KnowledgeEntry[]): KnowledgeBase {
  return { ...kb, entries, hash: `${kb.hash}-${entries.length}` };
}

function ids(candidates: Array<{ entry: KnowledgeEntry }>): string[] {
  return candidates.map((c) => c.entry.id);
}

/** Questions about services the edits below leave alone. */
const UNCHANGED: string[] = [
  '我家宝宝的出生证明找不到了，能重新开一张吗',
  '公司拖欠工资不发该去哪投诉',
  '护照快过期了怎么换',
  '公积金余额怎么查',
  '身份证丢了怎么补办',
  '孩子要打哪些疫苗',
  '租房子能不能把公积金取出来',
  '怎么办理营业执照',
  '个人所得税怎么申报',
  '医保卡丢了怎么办',
  'My passport is about to expire, how do I get a new one?',
  'I lost my ID card, what should I do',
];

describe('live entry index over the sample knowledge base', () => {
  it('retrieves a newly published entry first for a paraphrase of it', () => {
    const published = live.apply(withEntries([...kb.entries, DOG]));
    const top = published.retrieve('家里养了一条狗，要去哪里办狗证', 3);
    expect(top[0]?.entry).toBe(DOG);
    expect(top[0]?.index).toBe(kb.entries.length);
    expect(published.retrieve('Where do I get a licence for my dog', 3)[0]?.entry.id).toBe(DOG.id);
  });

  it('answers an edited entry for its new wording and no longer for its removed wording', () => {
    const at = kb.entries.findIndex((e) => e.id === 'traffic-licence-renewal');
    const edited: KnowledgeEntry = {
      ...kb.entries[at]!,
      title: { zh: '电子驾驶证申领' },
      questions: { zh: ['怎么申领电子驾驶证', '电子驾照在哪个APP上领', '手机上能出示电子驾驶证吗'] },
    };
    const entries = kb.entries.slice();
    entries[at] = edited;
    const after = live.apply(withEntries(entries));
    expect(ids(live.retrieve('驾照快过期了怎么换新的', 3))).toContain(edited.id);
    expect(ids(after.retrieve('驾照快过期了怎么换新的', 3))).not.toContain(edited.id);
    const top = after.retrieve('手机上怎么领电子驾照', 3)[0];
    expect(top?.entry).toBe(edited);
    expect(top?.index).toBe(at);
  });

  it('never brings back a retired entry, through later edits too', () => {
    const text = '离婚手续去哪里办，要准备哪些东西';
    expect(live.retrieve(text, 3)[0]?.entry.id).toBe('marriage-divorce');
    const retired = live.apply(withEntries(kb.entries.filter((e) => e.id !== 'marriage-divorce')));
    const later = retired.apply(withEntries([...kb.entries.filter((e) => e.id !== 'marriage-divorce'), DOG]));
    for (const index of [retired, later]) {
      expect(ids(index.retrieve(text, 50))).not.toContain('marriage-divorce');
      expect(ids(index.retrieve('How do I get divorced', 50))).not.toContain('marriage-divorce');
    }
  });

  it('ranks unchanged entries as the plain base index does, at their new positions', () => {
    // Retiring an early entry shifts every later entry's position.
    const entries = [...kb.entries.filter((e) => e.id !== 'household-hukou-transfer'), DOG];
    const after = live.apply(withEntries(entries));
    for (const text of UNCHANGED) {
      const expected = base.retrieve(text, 4).filter((c) => c.entry.id !== 'household-hukou-transfer').slice(0, 3);
      const got = after.retrieve(text, 3);
      expect(ids(got), text).toEqual(ids(expected));
      got.forEach((c, i) => {
        expect(c.score).toBeCloseTo(expected[i]!.score, 10);
        expect(c.entry).toBe(entries[c.index]);
      });
    }
  });

  it('changes nothing when the same knowledge base is applied again', () => {
    const same = live.apply(kb);
    expect(same.changedShare).toBe(0);
    for (const text of UNCHANGED) expect(same.retrieve(text, 5)).toEqual(base.retrieve(text, 5));
    const next = withEntries([...kb.entries.filter((e) => e.id !== 'marriage-divorce'), DOG]);
    const once = live.apply(next);
    const twice = once.apply(next);
    expect(once.changedShare).toBeCloseTo(2 / next.entries.length, 12);
    expect(twice.changedShare).toBe(once.changedShare);
    for (const text of [...UNCHANGED, '养狗要办证吗']) expect(twice.retrieve(text, 5)).toEqual(once.retrieve(text, 5));
  });

  it('scores an entry moved unchanged into the overlay as the base scored it (the base idf)', () => {
    const moved = kb.entries.find((e) => e.id === 'traffic-licence-renewal')!;
    const copy = { ...moved, id: 'traffic-licence-renewal-v2' };
    const after = live.apply(withEntries([...kb.entries.filter((e) => e !== moved), copy]));
    for (const text of ['驾照快过期了怎么换新的', '驾驶证到期换证要体检吗', 'How do I renew my driving licence?']) {
      const before = base.retrieve(text, 3).find((c) => c.entry === moved)!;
      const now = after.retrieve(text, 3).find((c) => c.entry === copy)!;
      expect(now, text).toBeDefined();
      expect(Math.abs(now.score - before.score), text).toBeLessThan(1e-4);
      expect(Math.abs(now.question - before.question), text).toBeLessThan(1e-4);
    }
  });
});
