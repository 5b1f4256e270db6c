import { describe, it, expect } from 'vitest';
import { maskPersonalData } from '../src/privacy/mask.ts';

/** The digits of `s`, with separators and letters removed. */
const digitsOf = (s: string): string => s.replace(/\D/g, '');

describe('maskPersonalData: ID card numbers', () => {
  it('masks an 18-digit ID with an X check digit inside Chinese text and keeps the surrounding words', () => {
    const input = '我的身份证号是11010519491231002X，帮我查';
    const out = maskPersonalData(input);
    expect(out).not.toContain('11010519491231002X');
    expect(out).not.toContain('19491231');
    expect(out.startsWith('我的身份证号是')).toBe(true);
    expect(out.endsWith('，帮我查')).toBe(true);
    expect(out).toMatch(/\*{6,}/);
    // Only the ID itself changed: its length is preserved, so the citizen still sees where it was.
    expect(out).toHaveLength(input.length);
  });

  it('masks an ID with a lowercase x check digit', () => {
    const out = maskPersonalData('ID 11010519491231002x.');
    expect(out).not.toContain('11010519491231002');
    expect(out.startsWith('ID ')).toBe(true);
    expect(out.endsWith('.')).toBe(true);
  });

  it('masks an all-digit ID number', () => {
    const out = maskPersonalData('身份证：440301199001011234');
    expect(out).not.toContain('440301199001011234');
    expect(out).not.toContain('19900101');
    expect(out.startsWith('身份证：')).toBe(true);
  });

  it('masks an ID and a mobile number in the same message independently', () => {
    const out = maskPersonalData('电话13812345678，身份证11010519491231002X');
    expect(out).not.toContain('13812345678');
    expect(out).not.toContain('11010519491231002X');
    expect(out).toContain('，身份证');
    expect(out.startsWith('电话')).toBe(true);
  });
});

describe('maskPersonalData: mobile numbers', () => {
  it.each([
    ['手机13812345678', '手机'],
    ['我的电话是 +86 138 1234 5678 谢谢', '我的电话是 '],
    ['电话 138-1234-5678', '电话 '],
    ['+8613812345678', ''],
  ])('masks %j', (input, prefix) => {
    const out = maskPersonalData(input);
    expect(digitsOf(out)).not.toContain('12345678');
    expect(digitsOf(out)).not.toContain('13812345678');
    expect(out.startsWith(prefix)).toBe(true);
    expect(out).toContain('*');
  });

  it('keeps text after a spaced mobile number', () => {
    expect(maskPersonalData('电话 +86 138 1234 5678 谢谢').endsWith(' 谢谢')).toBe(true);
  });

  it('masks two mobile numbers separated by a space as two numbers', () => {
    const out = maskPersonalData('13812345678 13987654321');
    expect(out).not.toContain('13812345678');
    expect(out).not.toContain('13987654321');
    expect(out).toContain(' ');
  });
});

describe('maskPersonalData: e-mail addresses', () => {
  it('masks the local part and keeps the text around it', () => {
    const out = maskPersonalData('邮箱 zhang.san@example.com 谢谢');
    expect(out).not.toContain('zhang.san');
    expect(out.startsWith('邮箱 ')).toBe(true);
    expect(out.endsWith(' 谢谢')).toBe(true);
  });

  it('masks an address with plus and sub-domains, leaving the final full stop', () => {
    const out = maskPersonalData('mail: a.b+c@mail.gov.cn.');
    expect(out).not.toContain('a.b+c');
    expect(out.endsWith('.')).toBe(true);
    expect(out.startsWith('mail: ')).toBe(true);
  });
});

describe('maskPersonalData: bank card numbers', () => {
  it.each([
    ['卡号6222021234567890', '6222021234567890'],
    ['卡号6222021234567890123', '6222021234567890123'],
    ['卡号622202123456789012', '622202123456789012'],
  ])('masks a card number of %j', (input, card) => {
    const out = maskPersonalData(input);
    expect(digitsOf(out)).not.toContain(card);
    expect(digitsOf(out)).not.toContain(card.slice(4, 12));
    expect(out.startsWith('卡号')).toBe(true);
  });

  it('masks a card number written in groups with spaces and keeps the following text', () => {
    const out = maskPersonalData('卡号 6222 0212 3456 7890 谢谢');
    expect(digitsOf(out)).not.toContain('6222021234567890');
    expect(out).not.toContain('0212 3456');
    expect(out).not.toContain('0212');
    expect(out.startsWith('卡号 ')).toBe(true);
    expect(out.endsWith(' 谢谢')).toBe(true);
  });

  it('masks a 19-digit card written in groups', () => {
    const out = maskPersonalData('银行卡 6222 0212 3456 7890 123 已绑定');
    expect(digitsOf(out)).not.toContain('02123456');
    expect(out.endsWith(' 已绑定')).toBe(true);
  });

  it('masks the card but leaves a year written after it', () => {
    const out = maskPersonalData('卡号6222021234567890 2024年办的');
    expect(digitsOf(out)).not.toContain('6222021234567890');
    expect(out.endsWith(' 2024年办的')).toBe(true);
  });
});

describe('maskPersonalData: ordinary text is untouched', () => {
  it.each([
    '2024年居住证怎么办理？',
    '费用12345元，拨打12345热线咨询',
    '邮编100000，地址人民路88号',
    '预约日期2024-05-01，时间9:00-17:00',
    '办理时限15个工作日，2024年12月31日前',
    '窗口电话010-12345678',
    'How do I renew my passport before 2025?',
    '第3窗口，排队号A123',
  ])('leaves %j unchanged', (input) => {
    expect(maskPersonalData(input)).toBe(input);
  });

  it('leaves the empty string unchanged', () => {
    expect(maskPersonalData('')).toBe('');
  });

  it('masks only the personal data in a mixed message', () => {
    const input = '2024年我用身份证11010519491231002X办的卡，拨打12345热线，邮编100000';
    const out = maskPersonalData(input);
    expect(out).not.toContain('11010519491231002X');
    expect(out.startsWith('2024年我用身份证')).toBe(true);
    expect(out.endsWith('办的卡，拨打12345热线，邮编100000')).toBe(true);
  });

  // Known bug (reported): BANK_CARD joins separate numbers across spaces/hyphens, so two
  // ordinary dates or a phone number followed by a hotline number are masked as one card.
  it('leaves two dates separated by a space unchanged', () => {
    expect(maskPersonalData('2024-05-01 2024-06-01')).toBe('2024-05-01 2024-06-01');
  });

  it('masks a mobile number without swallowing the following hotline number', () => {
    const out = maskPersonalData('我的手机13812345678 12345热线打不通');
    expect(out).toBe('我的手机138****5678 12345热线打不通');
  });
});
