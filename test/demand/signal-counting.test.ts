/** How demand signals are counted before grouping: repeats within the window, follow-ups, addresses, floods. */
import { describe, expect, it } from 'vitest';
import type { DemandReason } from '../../src/core/engine.ts';
import type { DemandRecord } from '../../src/core/ports.ts';
import { countSignals, floodPattern } from '../../src/demand/signal-counting.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T02:00:00Z');
let nextId = 1;

function signal(text: string, conversationId: string, hours: number, extra: { reason?: DemandReason; sourceKey?: string; channel?: string } = {}): DemandRecord {
  return {
    id: nextId++,
    conversationId,
    channel: extra.channel ?? 'api',
    lang: 'zh',
    text,
    reason: extra.reason ?? 'no_match',
    candidates: [],
    createdAt: new Date(T0 + hours * HOUR),
    ...(extra.sourceKey ? { sourceKey: extra.sourceKey } : {}),
  };
}

const options = { windowMs: 24 * HOUR, floodMessages: 10 };

describe('countSignals', () => {
  it('counts the same text of one conversation once within the window, again after it', () => {
    const counted = countSignals(
      [signal('社保卡怎么补办', 'c1', 0), signal('社保卡怎么补办 ', 'c1', 2), signal('社保卡怎么补办', 'c1', 23), signal('社保卡怎么补办', 'c1', 30), signal('社保卡怎么补办', 'c2', 1)],
      options,
    );
    expect(counted.signals.map((s) => [s.conversationId, s.messages])).toEqual([
      ['c1', 3],
      ['c2', 1],
      ['c1', 1],
    ]);
    expect(counted.repeats).toBe(2);
  });

  it('merges a request for a person into the question it follows, with both reasons, whatever the time between', () => {
    const counted = countSignals([signal('公租房怎么申请', 'c1', 0), signal('公租房怎么申请', 'c1', 40, { reason: 'asked_for_human' })], options);
    expect(counted.signals).toHaveLength(1);
    expect(counted.signals[0]).toMatchObject({ reason: 'no_match', reasons: ['no_match', 'asked_for_human'], messages: 2 });
  });

  it('counts the same text from one address once across conversations; other addresses count', () => {
    const counted = countSignals(
      [
        signal('公积金提取', 'a', 0, { sourceKey: 'k1' }),
        signal('公积金提取', 'b', 1, { sourceKey: 'k1' }),
        signal('公积金提取', 'c', 2, { sourceKey: 'k2' }),
      ],
      options,
    );
    expect(counted.signals.map((s) => s.conversationId)).toEqual(['a', 'c']);
  });

  it('sets aside a flood of one conversation (a chat platform) and one address, not a busy topic of many people', () => {
    const records = [
      ...Array.from({ length: 12 }, (_, i) => signal(`测试${i + 1}！`, 'tg:1', i * 0.1, { channel: 'telegram' })),
      ...Array.from({ length: 10 }, (_, i) => signal(`test ${i}`, `api-${i}`, i, { sourceKey: 'k9' })),
      ...Array.from({ length: 15 }, (_, i) => signal('养犬登记怎么办', `citizen-${i}`, i, { sourceKey: `k-${i}` })),
    ];
    const counted = countSignals(records, options);
    expect(counted.floodMessages).toBe(22);
    expect(counted.floods.map((f) => [f.source, f.pattern, f.messages, f.conversations])).toEqual([
      ['conversation', '测试', 12, 1],
      ['address', 'test', 10, 10],
    ]);
    expect(counted.signals).toHaveLength(15);
  });

  it('needs the flood within the window: the same few texts a day apart are not one', () => {
    const records = Array.from({ length: 12 }, (_, i) => signal(`测试${i}`, 'c1', i * 5));
    expect(countSignals(records, options).floodMessages).toBe(0);
    expect(floodPattern('测试一二三, 12!')).toBe('测试');
  });
});
