import { describe, it, expect } from 'vitest';
import { pickChoice } from '../src/core/choice-pick.ts';
import { followUpAspect } from '../src/core/follow-up.ts';

const LABELS = ['居住证办理', '居住证续签', '居住证补领'] as const;
const EN_LABELS = ['Apply for a residence permit', 'Renew a residence permit', 'Replace a lost residence permit'] as const;

describe('pickChoice', () => {
  it.each([
    ['2', 2],
    ['２', 2],
    ['1', 1],
    ['3', 3],
    ['第二个', 2],
    ['第2个', 2],
    ['第三项', 3],
    ['两', 2],
    ['选2', 2],
    ['②', 2],
    ['①', 1],
    ['the second one', 2],
    ['The Second One.', 2],
    ['second', 2],
    ['third', 3],
    ['option 2', 2],
    ['#3', 3],
    ['2。', 2],
  ])('reads %j as choice %i', (text, expected) => {
    expect(pickChoice(text, LABELS)).toBe(expected);
  });

  it('accepts surrounding whitespace', () => {
    expect(pickChoice('  2  ', LABELS)).toBe(2);
  });

  it('picks an option by its exact label text', () => {
    expect(pickChoice('居住证续签', LABELS)).toBe(2);
    expect(pickChoice('居住证补领。', LABELS)).toBe(3);
  });

  it('picks an English label case-insensitively', () => {
    expect(pickChoice('renew a residence permit', EN_LABELS)).toBe(2);
    expect(pickChoice('Replace a lost residence permit', EN_LABELS)).toBe(3);
  });

  it.each(['4', '４', '第四个', '④', 'the fourth one', '0'])('returns null for %j, out of range with 3 options', (text) => {
    expect(pickChoice(text, LABELS)).toBeNull();
  });

  it('accepts the fourth option when there are four', () => {
    expect(pickChoice('4', [...LABELS, '其他'])).toBe(4);
  });

  it.each(['居住证怎么办', '我要办居住证', '需要什么材料', 'how do i renew my permit', '10', '2024年', '居住证', ''])(
    'returns null for a normal message %j',
    (text) => {
      expect(pickChoice(text, LABELS)).toBeNull();
    },
  );

  it('returns null when there are no options at all', () => {
    expect(pickChoice('1', [])).toBeNull();
  });
});

describe('followUpAspect', () => {
  it.each([
    ['需要什么材料', 'materials'],
    ['要带什么证件', 'materials'],
    ['需要准备哪些资料', 'materials'],
    ['需要带什么', 'materials'],
    ['材料', 'materials'],
    ['what do i need to bring', 'materials'],
  ] as const)('reads %j as a follow-up about %s', (text, aspect) => {
    expect(followUpAspect(text)).toBe(aspect);
  });

  it.each(['在哪里办', '多少钱', '费用是多少', '要多久', '办理时间', '可以网上办理吗', '收费吗'])(
    'reads %j as a general follow-up',
    (text) => {
      expect(followUpAspect(text)).toBe('general');
    },
  );

  it.each(['护照需要什么材料', '公积金怎么提取', '居住证在哪里办', '社保卡多少钱', 'i need a passport'])(
    'returns null for %j, which names a new topic',
    (text) => {
      expect(followUpAspect(text)).toBeNull();
    },
  );

  it.each(['好的', '谢谢', 'thank you'])('returns null for %j, which asks nothing', (text) => {
    expect(followUpAspect(text)).toBeNull();
  });

  // Known bug (reported): the English filler words have no word boundaries and short alternatives
  // ("do", "i", "a") win over longer ones ("documents", "is", "it"), so these leave letters behind.
  it('reads plain English follow-ups', () => {
    expect(followUpAspect('what documents do i need')).toBe('materials');
    expect(followUpAspect('how much does it cost')).toBe('general');
    expect(followUpAspect('where is it')).toBe('general');
    expect(followUpAspect('how long does it take')).toBe('general');
  });
});
