import { describe, it, expect } from 'vitest';
import { basicNormalize, normalize, SynonymMap, toSimplified } from '../src/nlu/normalize.ts';
import { detectLanguage } from '../src/nlu/language.ts';

describe('toSimplified', () => {
  it.each([
    ['居住證怎麼辦', '居住证怎么办'],
    ['護照過期了怎麼辦', '护照过期了怎么办'],
    ['駕駛執照', '驾驶执照'],
    ['港澳通行證', '港澳通行证'],
    ['網上申請', '网上申请'],
    ['醫保報銷', '医保报销'],
  ])('converts Traditional %j to %j', (traditional, simplified) => {
    expect(toSimplified(traditional)).toBe(simplified);
  });

  it.each([
    // Hong Kong variant characters
    ['綫上辦理', '线上办理'],
    ['裏面', '里面'],
    ['衞生', '卫生'],
  ])('converts the Hong Kong variant %j to %j', (hk, simplified) => {
    expect(toSimplified(hk)).toBe(simplified);
  });

  it('converts Taiwan phrasing (資訊 → 信息)', () => {
    expect(toSimplified('資訊')).toBe('信息');
  });

  it('leaves Simplified Chinese unchanged', () => {
    expect(toSimplified('居住证怎么办理，需要什么材料？')).toBe('居住证怎么办理，需要什么材料？');
  });

  it('leaves English text, case and punctuation untouched', () => {
    expect(toSimplified('How do I apply? (ID card)')).toBe('How do I apply? (ID card)');
  });
});

describe('basicNormalize', () => {
  it('turns full-width letters and digits into half-width lowercase', () => {
    expect(basicNormalize('ＡＢＣ１２３')).toBe('abc123');
  });

  it('turns a full-width space into an ordinary space', () => {
    expect(basicNormalize('Ｈｅｌｌｏ　Ｗｏｒｌｄ')).toBe('hello world');
  });

  it('folds case', () => {
    expect(basicNormalize('How To Apply For A PASSPORT')).toBe('how to apply for a passport');
  });

  it('removes ASCII punctuation and collapses spaces', () => {
    expect(basicNormalize('  hello,   world... (test)!  ')).toBe('hello world test');
  });

  it('removes Chinese punctuation', () => {
    expect(basicNormalize('居住证，怎么办！！')).toBe('居住证 怎么办');
    expect(basicNormalize('「辦理」《指南》？')).toBe('办理 指南');
    expect(basicNormalize('需要什么材料？')).toBe('需要什么材料');
  });

  it('converts Traditional to Simplified and strips punctuation together', () => {
    expect(basicNormalize('居住證怎麼辦？')).toBe('居住证怎么办');
  });

  it('keeps digits and letters that carry meaning', () => {
    expect(basicNormalize('A1驾照 2024年')).toBe('a1驾照 2024年');
  });
});

describe('SynonymMap and normalize', () => {
  const synonyms = new SynonymMap(
    new Map<string, string[]>([
      ['身份证', ['身份證明', '身证']],
      ['公积金', ['住房公积金', '公基金']],
      ['identity card', ['id', 'ID card']],
    ]),
  );

  it('counts only variants that differ from their canonical word', () => {
    const map = new SynonymMap(new Map([['公积金', ['公积金', '公基金']]]));
    expect(map.size).toBe(1);
  });

  it('replaces a Chinese variant inside a sentence', () => {
    expect(normalize('我的身证丢了', synonyms)).toBe('我的身份证丢了');
    expect(normalize('公基金怎么提取', synonyms)).toBe('公积金怎么提取');
  });

  it('prefers the longest variant (住房公积金 → 公积金, not 住房公积金 kept)', () => {
    expect(normalize('住房公积金怎么提取', synonyms)).toBe('公积金怎么提取');
  });

  it('normalises variants written in Traditional characters', () => {
    expect(normalize('公基金怎麼提取？', synonyms)).toBe('公积金怎么提取');
  });

  it('replaces an English variant as a whole word, case-insensitively', () => {
    expect(normalize('I lost my ID.', synonyms)).toBe('i lost my identity card');
    expect(normalize('id lost', synonyms)).toBe('identity card lost');
  });

  it('replaces the longer English variant in one piece', () => {
    expect(normalize('my ID card is lost', synonyms)).toBe('my identity card is lost');
  });

  it('does not rewrite English words that merely contain a variant', () => {
    expect(normalize('idle time', synonyms)).toBe('idle time');
    expect(normalize('kid lost', synonyms)).toBe('kid lost');
    expect(normalize('valid idea', synonyms)).toBe('valid idea');
  });

  it('maps a variant that contains the canonical word and leaves the canonical word alone', () => {
    const map = new SynonymMap(new Map([['护照', ['普通护照', '因私护照']]]));
    expect(normalize('普通护照怎么办', map)).toBe('护照怎么办');
    expect(normalize('因私护照过期了', map)).toBe('护照过期了');
    expect(normalize('护照怎么办', map)).toBe('护照怎么办');
  });

  // Known bug (reported): a variant that is a substring of its canonical word ("港澳通" of
  // "港澳通行证", "个体" of "个体工商户") is replaced again inside the canonical word itself,
  // so the canonical word and its variants no longer normalise to the same text.
  it('does not rewrite the canonical word when a variant is part of it', () => {
    const map = new SynonymMap(new Map([['港澳通行证', ['港澳通', '往来港澳通行证']]]));
    expect(normalize('港澳通行证怎么办', map)).toBe('港澳通行证怎么办');
    expect(normalize('往来港澳通行证怎么办', map)).toBe('港澳通行证怎么办');
    expect(normalize('港澳通怎么办', map)).toBe('港澳通行证怎么办');
  });

  it('without a synonym map, normalize equals basicNormalize', () => {
    const text = '住房公积金，怎麼提取？';
    expect(normalize(text)).toBe(basicNormalize(text));
    expect(normalize(text)).toBe('住房公积金 怎么提取');
  });
});

describe('detectLanguage', () => {
  it.each([
    '居住证怎么办',
    '護照過期了怎麼辦？',
    '我的passport丢了',
    '去 Hong Kong 要什么证件',
    '办理 ID card 需要多久',
  ])('detects Chinese in %j', (text) => {
    expect(detectLanguage(text)).toBe('zh');
    expect(detectLanguage(text, 'en')).toBe('zh');
  });

  it.each([
    'How do I apply for a residence permit?',
    'passport',
    'How do I apply for a residence permit (居住证)?',
    'Where can I get my hukou transferred, 户口?',
  ])('detects English in %j', (text) => {
    expect(detectLanguage(text)).toBe('en');
    expect(detectLanguage(text, 'zh')).toBe('en');
  });

  // Reported, not asserted: an English sentence naming a 3-character Chinese term is detected as
  // Chinese because three English words weigh the same as three Han characters.

  it('falls back when the text has neither Chinese nor English words', () => {
    expect(detectLanguage('123', 'zh')).toBe('zh');
    expect(detectLanguage('123', 'en')).toBe('en');
    expect(detectLanguage('？！', 'en')).toBe('en');
    expect(detectLanguage('')).toBe('zh');
  });
});
