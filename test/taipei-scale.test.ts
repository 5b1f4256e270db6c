import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { taipeiScaleBase } from '../bench/support/taipei-scale.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'faq-sample.json');

describe('taipeiScaleBase', () => {
  it('crosses the FAQ entries with the districts, varies the questions and holds test questions out', () => {
    const { kb, cases } = taipeiScaleBase(10, 4, { faqPath: FIXTURE, caseCount: 6 });

    expect(kb.entries).toHaveLength(10);
    expect(new Set(kb.entries.map((e) => e.id)).size).toBe(10);
    expect(kb.entries.every((e) => e.questions.zh?.length === 4)).toBe(true);
    const first = kb.entries[0]!;
    expect(first.questions.zh).toEqual(['中正區如何申請戶籍謄本？', '請問中正區如何申請戶籍謄本', '中正區如何申請戶籍謄本怎麼辦', '如何申請戶籍謄本，中正區要去哪裡辦']);
    expect(first.answer.zh).toContain('線上申辦服務 (https://example.gov.taipei/apply)');
    expect(kb.entries[4]!.title.zh).toBe('大同區如何申請戶籍謄本');
    expect(kb.departments.map((d) => d.name.zh).sort()).toEqual(['臺北市政府交通局', '臺北市政府民政局']);

    const ids = new Set(kb.entries.map((e) => e.id));
    const questions = new Set(kb.entries.flatMap((e) => e.questions.zh ?? []));
    expect(cases).toHaveLength(6);
    for (const c of cases) {
      expect(c.expect !== null && ids.has(c.expect)).toBe(true);
      expect(questions.has(c.text)).toBe(false);
    }
    expect(taipeiScaleBase(10, 4, { faqPath: FIXTURE, caseCount: 6 })).toEqual({ kb, cases });
  });
});
