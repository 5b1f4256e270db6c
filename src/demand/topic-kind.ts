/** Kind of a message by cue words: 咨询 (a question), 投诉/求助 (a complaint or request for help), 建言 (a suggestion). */
import { toSimplified } from '../nlu/normalize.ts';
import type { TopicKind } from './topic-types.ts';

const COMPLAINT = [
  '投诉', '举报', '反映', '扰民', '不作为', '乱作为', '请求', '帮助', '帮帮', '帮忙', '救助', '求助', '拖欠', '欠薪', '讨薪', '至今未', '至今没',
  '无人管', '没人管', '无人处理', '不予处理', '推诿', '踢皮球', '乱收费', '违规', '违法', '违章', '态度恶劣', '态度差', '维权', '被骗', '受骗',
  '睡不着', '无法入睡', '恳请', '强烈要求', '太吵', '噪音', '臭味', '刺鼻', '堵塞', '漏水', '危险', '隐患', '困难', '急需',
  'complain', 'complaint', 'report', 'help me', 'please help', 'urgent', 'nobody', 'no one', 'still not', 'unpaid', 'not paid',
  'harass', 'noise', 'noisy', 'dangerous', 'broken', 'refused',
];
const SUGGESTION = [
  '建议', '提议', '倡议', '呼吁', '能否增设', '能否增加', '能否开通', '可否', '希望增设', '希望增加', '希望开通', '希望能', '希望可以',
  '是否可以考虑', '考虑', '应该增加', '应当', '增设', '加装', '完善', '优化', '改进', '改善', '意见', '提个建议',
  'suggest', 'suggestion', 'propose', 'proposal', 'recommend', 'would be great', 'would be nice', 'please consider', 'it would help',
];
const QUESTION = [
  '怎么', '怎样', '如何', '吗', '么', '哪里', '哪儿', '哪个', '什么', '多少', '多久', '几天', '能不能', '可不可以', '是否', '请问', '咨询',
  'how', 'what', 'where', 'when', 'which', 'can i', 'do i', 'is it', 'is there', 'are there',
];

const HOW_TO = ['怎么', '怎样', '如何', '哪里', '哪儿', '去哪', '请问', '咨询', 'how', 'where', 'can i', 'do i'];

/** Cue matchers: Latin cues match at a word start, others anywhere. */
function matchers(cues: readonly string[]): Array<(text: string) => boolean> {
  return cues.map((cue) => {
    if (!/^[a-z ]+$/.test(cue)) return (text: string) => text.includes(cue);
    const pattern = new RegExp(`\\b${cue}`);
    return (text: string) => pattern.test(text);
  });
}

const COMPLAINT_CUES = matchers(COMPLAINT);
const SUGGESTION_CUES = matchers(SUGGESTION);
const QUESTION_CUES = matchers(QUESTION);
const HOW_TO_CUES = matchers(HOW_TO);

function hits(text: string, cues: ReadonlyArray<(text: string) => boolean>): number {
  let n = 0;
  for (const matches of cues) if (matches(text)) n++;
  return n;
}

/**
 * The kind of one message: a short "how/where" question is a question; otherwise the strongest cues decide (ties:
 * complaint). `normalized` (see TopicFeaturizer.normalizeText) saves converting the text again.
 */
export function classifyKind(text: string, normalized?: string): TopicKind {
  const t = normalized ?? toSimplified(text.normalize('NFKC')).toLowerCase();
  const short = Array.from(t.replace(/\s+/g, '')).length <= 30;
  if (short && hits(t, HOW_TO_CUES) > 0) return '咨询';
  const complaint = hits(t, COMPLAINT_CUES) * 2;
  const suggestion = hits(t, SUGGESTION_CUES) * 2;
  const question = hits(t, QUESTION_CUES) + (/[?？]/.test(text) ? 1 : 0);
  if (complaint > 0 && complaint >= suggestion && complaint >= question) return '投诉/求助';
  if (suggestion > 0 && suggestion >= question) return '建言';
  return '咨询';
}

/** The kind of a topic: its members' most common kind (ties: complaint, then suggestion, then question). */
export function topicKind(counts: ReadonlyMap<TopicKind, number>): TopicKind {
  const order: TopicKind[] = ['投诉/求助', '建言', '咨询'];
  let best: TopicKind = '咨询';
  let bestCount = 0;
  for (const k of order) {
    const c = counts.get(k) ?? 0;
    if (c > bestCount) {
      best = k;
      bestCount = c;
    }
  }
  return best;
}
