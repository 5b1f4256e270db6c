/** Rendering core replies as Bot Framework activities: what Teams and Web Chat users see. */
import { describe, expect, it } from 'vitest';
import { renderReplies, welcomeActivity } from '../../channels/botframework/render.ts';

describe('botframework render', () => {
  it('sends text as plain text', () => {
    expect(renderReplies([{ text: '居住证在派出所办理。' }])).toEqual([{ type: 'message', textFormat: 'plain', text: '居住证在派出所办理。' }]);
  });

  it('offers choices as suggested actions that send the choice value back, keeping the numbered text', () => {
    const [activity] = renderReplies([
      {
        text: '您是想问：\n1. 驾驶证换证\n2. 驾驶证补领',
        choices: [
          { label: '驾驶证换证', value: '1' },
          { label: '驾驶证补领', value: '2' },
        ],
      },
    ]);
    expect(activity?.text).toContain('2. 驾驶证补领');
    expect(activity?.suggestedActions?.actions).toEqual([
      { type: 'imBack', title: '驾驶证换证', value: '1' },
      { type: 'imBack', title: '驾驶证补领', value: '2' },
    ]);
  });

  it('shows links as buttons of a hero card that open the page', () => {
    const [activity] = renderReplies([{ text: '详见官网。', links: [{ title: '办事指南', url: 'https://example.gov.cn/guide' }] }]);
    expect(activity?.text).toBe('详见官网。');
    expect(activity?.attachments).toHaveLength(1);
    expect(activity?.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.hero');
    expect(activity?.attachments?.[0]?.content.buttons).toEqual([{ type: 'openUrl', title: '办事指南', value: 'https://example.gov.cn/guide' }]);
  });

  it('puts more than six links on further cards, so Teams shows all of them', () => {
    const links = Array.from({ length: 8 }, (_, i) => ({ title: `链接${i + 1}`, url: `https://example.gov.cn/${i + 1}` }));
    const [activity] = renderReplies([{ text: '相关链接：', links }]);
    const buttons = activity?.attachments?.map((a) => (a.content as { buttons: unknown[] }).buttons.length);
    expect(buttons).toEqual([6, 2]);
  });

  it('splits a long text under the limit, with choices and links on the last part only', () => {
    const text = Array.from({ length: 30 }, (_, i) => `第${i + 1}行：${'办'.repeat(20)}`).join('\n');
    const activities = renderReplies([{ text, choices: [{ label: '转人工', value: '转人工' }], links: [{ title: '指南', url: 'https://example.gov.cn' }] }], 200);
    expect(activities.length).toBeGreaterThan(1);
    for (const a of activities) expect(Array.from(a.text ?? '').length).toBeLessThanOrEqual(200);
    expect(activities.map((a) => a.text).join('\n')).toBe(text);
    expect(activities.slice(0, -1).every((a) => !a.suggestedActions && !a.attachments)).toBe(true);
    expect(activities.at(-1)?.suggestedActions?.actions).toHaveLength(1);
    expect(activities.at(-1)?.attachments).toHaveLength(1);
  });

  it("starts a staff reply with the staff member's name", () => {
    expect(renderReplies([{ text: '您的材料已审核通过。', staffName: '王工' }])[0]?.text).toBe('【王工】您的材料已审核通过。');
  });

  it('sends nothing for an empty reply, and one activity per reply otherwise', () => {
    expect(renderReplies([{ text: '  ' }])).toEqual([]);
    expect(renderReplies([{ text: '第一条' }, { text: '第二条' }]).map((a) => a.text)).toEqual(['第一条', '第二条']);
  });

  it('welcomes in English for an English client and in Chinese otherwise', () => {
    expect(welcomeActivity('en-US').text).toMatch(/^Hello!/);
    expect(welcomeActivity('zh-CN').text).toContain('您好');
    expect(welcomeActivity(undefined).text).toContain('您好');
  });
});
