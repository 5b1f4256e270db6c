import { describe, expect, it } from 'vitest';
import { hashKindTerm, hashTerm, TERM_KIND } from '../../src/nlu/term-hash.ts';
import { TERM_WEIGHTS, TextTerms } from '../../src/nlu/text-terms.ts';

const terms = new TextTerms({ synonyms: new Map([['身份证', ['身分证', 'id card']]]), userWords: ['出生医学证明'] });

describe('term hashes', () => {
  it('hashes a kind and a text as the joined string, and keeps kinds apart', () => {
    expect(hashKindTerm(TERM_KIND.word, '出生')).toBe(hashTerm('w:出生'));
    expect(hashKindTerm(TERM_KIND.word, '出生')).not.toBe(hashKindTerm(TERM_KIND.gram, '出生'));
    expect(hashTerm('')).toBe(0x811c9dc5);
    expect(hashTerm('passport')).toBeGreaterThanOrEqual(0);
    expect(hashTerm('passport')).toBeLessThan(2 ** 32);
  });
});

describe('text terms', () => {
  it('counts a Chinese text as words, bigrams, characters and character n-grams with their weights', () => {
    const counts = terms.terms('出生医学证明补办');
    expect(counts.get(hashKindTerm(TERM_KIND.word, '出生医学证明'))).toBe(TERM_WEIGHTS[TERM_KIND.word]);
    expect(counts.get(hashKindTerm(TERM_KIND.bigram, '出生医学证明 补办'))).toBe(TERM_WEIGHTS[TERM_KIND.bigram]);
    expect(counts.get(hashKindTerm(TERM_KIND.han, '补'))).toBe(TERM_WEIGHTS[TERM_KIND.han]);
    expect(counts.get(hashKindTerm(TERM_KIND.gram, '明补办'))).toBe(TERM_WEIGHTS[TERM_KIND.gram]);
    expect(counts.has(hashKindTerm(TERM_KIND.gram, '医学证明补'))).toBe(false);
  });

  it('does not make n-grams across a break between Han runs', () => {
    const counts = terms.terms('补办，证明');
    expect(counts.has(hashKindTerm(TERM_KIND.gram, '办证'))).toBe(false);
    expect(counts.has(hashKindTerm(TERM_KIND.gram, '证明'))).toBe(true);
  });

  it('gives traditional and simplified writing, and synonyms, the same terms', () => {
    expect(terms.terms('出生醫學證明遺失補發')).toEqual(terms.terms('出生医学证明遗失补发'));
    expect(terms.terms('补办身分证')).toEqual(terms.terms('补办身份证'));
  });

  it('stems English words and drops function words', () => {
    const a = terms.terms('Renewing the passports');
    const b = terms.terms('renew passport');
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    expect(a.has(hashKindTerm(TERM_KIND.word, 'the'))).toBe(false);
  });

  it('adds up a term that occurs twice', () => {
    expect(terms.terms('passport passport').get(hashKindTerm(TERM_KIND.word, 'passport'))).toBe(2);
  });
});
