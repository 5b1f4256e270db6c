import { describe, expect, it } from 'vitest';
import { classifyKind, topicKind } from '../../src/demand/topic-kind.ts';

describe('classifyKind', () => {
  it.each([
    ['公积金怎么提取', '咨询'],
    ['办护照需要什么材料？', '咨询'],
    ['結婚登記可以週末辦嗎', '咨询'],
    ['晚上工地施工太吵怎么投诉', '咨询'],
    ['How do I renew my passport?', '咨询'],
    ['我要投诉小区门口的烧烤店油烟扰民', '投诉/求助'],
    ['老板拖欠我们三个月工资，求助！', '投诉/求助'],
    ['我们小区旁边的工地每天晚上施工到凌晨，噪音特别大，多次反映至今没人管，强烈要求相关部门尽快处理，为什么就没人管？', '投诉/求助'],
    ['My employer has not paid my wages for three months, please help me.', '投诉/求助'],
    ['建议在地铁站增设无障碍电梯', '建言'],
    ['希望能延长政务大厅周末的办公时间', '建言'],
    ['我市老旧小区多，建议政府统一牵头加装电梯，简化审批流程，提高补贴标准，让更多老人上下楼不难。', '建言'],
    ['I suggest adding a bus route to the new train station.', '建言'],
    ['你好', '咨询'],
  ])('%s → %s', (text, kind) => {
    expect(classifyKind(text)).toBe(kind);
  });

  it('takes a topic\'s most common kind', () => {
    expect(topicKind(new Map([['咨询', 2], ['投诉/求助', 5], ['建言', 1]]))).toBe('投诉/求助');
    expect(topicKind(new Map([['建言', 3], ['咨询', 1]]))).toBe('建言');
    expect(topicKind(new Map())).toBe('咨询');
  });
});
