import { describe, expect, it } from 'vitest';
import { groupTopics } from '../../src/demand/group-topics.ts';
import { TopicAssigner } from '../../src/demand/topic-assigner.ts';
import { featurizer, HOUSING_FUND, messages, NIGHT_NOISE, NOISE, PASSPORT, STREET_LIGHTS } from './fixtures.ts';

const corpus = [...HOUSING_FUND, ...NIGHT_NOISE, ...STREET_LIGHTS, ...PASSPORT, ...NOISE];
const topicOf = (result: ReturnType<typeof groupTopics>, index: number): string | undefined =>
  result.topics.find((t) => t.members.includes(index))?.id;

describe('groupTopics', () => {
  const result = groupTopics(messages(corpus), { featurizer });

  it('puts different phrasings of one need in one topic, per language', () => {
    for (const [start, group] of [[0, HOUSING_FUND], [5, NIGHT_NOISE], [10, STREET_LIGHTS], [14, PASSPORT]] as const) {
      const ids = group.map((_, i) => topicOf(result, start + i));
      expect(ids[0]).toBeDefined();
      expect(new Set(ids).size).toBe(1);
    }
    expect(result.topics).toHaveLength(4);
  });

  it('leaves one-off noise out of every topic', () => {
    const noiseStart = corpus.length - NOISE.length;
    for (let i = noiseStart; i < corpus.length; i++) expect(topicOf(result, i)).toBeUndefined();
    expect(result.noise).toEqual(NOISE.map((_, i) => noiseStart + i));
  });

  it('merges near-identical questions (case, width, punctuation, traditional script) and counts each', () => {
    const same = ['公积金怎么提取？', '公积金怎么提取', '公積金怎麼提取', '  公积金，怎么提取!! ', 'ＡＰＰ上怎么查公积金'];
    const r = groupTopics(messages([...same.slice(0, 4), ...NOISE]), { featurizer });
    expect(r.topics).toHaveLength(1);
    expect(r.topics[0]!.members).toEqual([0, 1, 2, 3]);
    expect(r.topics[0]!.size).toBe(4);
  });

  it('describes each topic: label, keywords, 3-5 representatives, kind, channels, time span, departments', () => {
    const withMeta = corpus.map((text, i) => ({
      text,
      channel: i % 2 ? 'web' : 'wechat',
      time: new Date(Date.UTC(2025, 0, 1 + i)),
      candidates: [{ entryId: i < 5 ? 'fund-withdraw' : 'other', score: 0.4 }],
    }));
    const r = groupTopics(withMeta, { featurizer, departmentOf: (id) => (id === 'fund-withdraw' ? 'housing-fund' : undefined) });
    const fund = r.topics.find((t) => t.members.includes(0))!;
    expect(fund.keywords).toContain('公积金');
    expect(fund.label).toContain('公积金');
    expect(fund.representatives.length).toBeGreaterThanOrEqual(3);
    expect(fund.representatives.length).toBeLessThanOrEqual(5);
    expect(fund.kind).toBe('咨询');
    expect(fund.firstSeen?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(fund.lastSeen?.toISOString()).toBe('2025-01-05T00:00:00.000Z');
    expect(fund.channels).toEqual([{ channel: 'wechat', count: 3 }, { channel: 'web', count: 2 }]);
    expect(fund.departments).toEqual([{ department: 'housing-fund', share: 1 }]);
    const noise = r.topics.find((t) => t.members.includes(5))!;
    expect(noise.kind).toBe('投诉/求助');
  });

  it('masks personal data in representatives and keeps it out of keywords', () => {
    const texts = [
      '我的手机13812345678收不到公积金提取短信',
      '公积金提取短信收不到，身份证110101199003071234',
      '公积金提取的短信验证码一直收不到 邮箱 zhang.san@example.com',
      '提取公积金时短信验证码收不到怎么办',
    ];
    const r = groupTopics(messages([...texts, ...NOISE]), { featurizer });
    expect(r.topics).toHaveLength(1);
    const shown = JSON.stringify(r.topics[0]);
    expect(shown).not.toContain('13812345678');
    expect(shown).not.toContain('110101199003071234');
    expect(shown).not.toContain('zhang.san');
    expect(shown).toContain('138****5678');
  });

  it('handles empty input and inputs without any topic', () => {
    expect(groupTopics([], { featurizer }).topics).toEqual([]);
    const r = groupTopics(messages(NOISE), { featurizer });
    expect(r.topics).toEqual([]);
    expect(r.noise).toHaveLength(NOISE.length);
  });
});

describe('stable ids', () => {
  it('keeps topic ids when messages are added and the grouping runs again', () => {
    const first = groupTopics(messages(corpus), { featurizer });
    const more = [
      ...corpus,
      '公积金提取多久到账',
      '夜里施工噪声投诉电话是多少',
      '垃圾好几天没人清运了',
      '小区垃圾桶满了没人收，臭气熏天',
      '垃圾清运不及时找哪个部门',
      '我们街道的垃圾站一个星期都没有清运，垃圾堆得很高',
    ];
    const second = groupTopics(messages(more), { featurizer, previous: first.state });
    for (const t of first.topics) expect(topicOf(second, t.members[0]!)).toBe(t.id);
    const garbage = second.topics.find((t) => t.members.includes(more.length - 1))!;
    expect(first.topics.map((t) => t.id)).not.toContain(garbage.id);
    expect(new Set(second.topics.map((t) => t.id)).size).toBe(second.topics.length);
  });

  it('keeps ids by topic centre when the old messages are no longer in the window', () => {
    const first = groupTopics(messages(corpus), { featurizer });
    const fundId = topicOf(first, 0);
    const later = ['离职后公积金怎么取出来', '公积金提取要带什么材料', '租房提取公积金一年能取几次', ...NOISE];
    const second = groupTopics(messages(later), { featurizer, previous: first.state });
    expect(topicOf(second, 0)).toBe(fundId);
  });

  it('derives the same ids from the same messages without a previous state (named after the earliest member)', () => {
    const timed = corpus.map((text, i) => ({ text, time: new Date(Date.UTC(2025, 0, 1, 0, i)) }));
    const a = groupTopics(timed, { featurizer });
    const b = groupTopics([...timed].reverse(), { featurizer });
    expect(b.topics.map((t) => t.id).sort()).toEqual(a.topics.map((t) => t.id).sort());
  });
});

describe('TopicAssigner', () => {
  it('assigns a new message to its topic, and a new need to none', () => {
    const { state, topics } = groupTopics(messages(corpus), { featurizer });
    const assigner = new TopicAssigner(state, featurizer);
    const fund = topics.find((t) => t.members.includes(0))!.id;
    expect(assigner.assign('离职以后公积金可以提取吗')?.topicId).toBe(fund);
    expect(assigner.assign('结婚登记要带什么材料')).toBeNull();
  });
});
