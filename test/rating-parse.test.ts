import { describe, expect, it } from 'vitest';
import { parseRating } from '../src/handoff/rating-parse.ts';

describe('好差评 rating replies', () => {
  it('reads numbers and labels, keeping a comment', () => {
    expect(parseRating('1')).toEqual({ rating: 'satisfied', comment: null });
    expect(parseRating('基本满意')).toEqual({ rating: 'basically_satisfied', comment: null });
    expect(parseRating('3 等了太久')).toEqual({ rating: 'dissatisfied', comment: '等了太久' });
    expect(parseRating('不满意，回复太慢')).toEqual({ rating: 'dissatisfied', comment: '回复太慢' });
    expect(parseRating('Satisfied')).toEqual({ rating: 'satisfied', comment: null });
  });

  it('does not read 不满意 or 基本满意 as 满意, nor a question as a rating', () => {
    expect(parseRating('不满意')?.rating).toBe('dissatisfied');
    expect(parseRating('满意')?.rating).toBe('satisfied');
    expect(parseRating('社保卡怎么办理')).toBeNull();
    expect(parseRating('12345热线是多少')).toBeNull();
  });
});
