import { describe, expect, it } from 'vitest';
import { wordInformation } from '../../src/nlu/word-information.ts';

describe('word information', () => {
  it('ranks everyday words below the words that name a service', () => {
    for (const common of ['怎么', '需要', '办理']) {
      for (const specific of ['公积金', '物业', '乱收费']) expect(wordInformation(common)).toBeLessThan(wordInformation(specific));
    }
  });

  it('treats a Chinese word the dictionary lacks as the most informative', () => {
    expect(wordInformation('燃气费缴纳点')).toBeGreaterThanOrEqual(wordInformation('乱收费'));
  });

  it('gives English words and numbers a fixed weight', () => {
    expect(wordInformation('passport')).toBe(wordInformation('licenc'));
    expect(wordInformation('2024')).toBeLessThan(wordInformation('passport'));
  });
});
