/** What the citizen is told about their case, in their language. */
import type { Lang, Reply } from '../core/message.ts';
import type { Rating } from './types.ts';

export const RATING_LABELS: Record<Lang, Record<Rating, string>> = {
  zh: { satisfied: '满意', basically_satisfied: '基本满意', dissatisfied: '不满意' },
  en: { satisfied: 'Satisfied', basically_satisfied: 'Basically satisfied', dissatisfied: 'Dissatisfied' },
};

export function caseOpenedNotice(lang: Lang, caseNumber: string, expected: { minutes: number } | { at: string }): Reply {
  if (lang === 'en') {
    const when = 'minutes' in expected ? `within about ${expected.minutes} minutes` : `after our staff are back at ${expected.at}`;
    return { text: `You are now in the queue for a member of staff. Your case number is ${caseNumber}; you can expect a reply ${when}.` };
  }
  const when = 'minutes' in expected ? `预计 ${expected.minutes} 分钟内回复` : `现在是非工作时间，工作人员将于 ${expected.at} 上班后尽快回复`;
  return { text: `您的咨询已转人工，编号 ${caseNumber}，${when}。` };
}

export function alreadyQueuedNotice(lang: Lang, caseNumber: string): Reply {
  return lang === 'en'
    ? { text: `Your case ${caseNumber} is already with our staff; they will reply here.` }
    : { text: `您的咨询（编号 ${caseNumber}）已在人工处理中，工作人员会在这里回复您。` };
}

export function expiredNotice(lang: Lang, caseNumber: string, nextOpening: string | null): Reply {
  if (lang === 'en') {
    return { text: `Sorry, no member of staff has been able to reply yet. Your case ${caseNumber} stays open${nextOpening ? `; expect a reply after ${nextOpening}` : ''}. You can keep asking me in the meantime.` };
  }
  return { text: `抱歉，工作人员暂时未能回复。您的咨询（编号 ${caseNumber}）会一直保留${nextOpening ? `，预计 ${nextOpening} 后回复` : ''}。其间您仍可继续向我提问。` };
}

export function resolvedNotice(lang: Lang, caseNumber: string): Reply {
  const labels = RATING_LABELS[lang];
  const ratings: Rating[] = ['satisfied', 'basically_satisfied', 'dissatisfied'];
  const choices = ratings.map((r) => ({ label: labels[r], value: labels[r] }));
  const list = choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n');
  return lang === 'en'
    ? { text: `Case ${caseNumber} is closed. How was our service?\n${list}\nReply with a number; you may add a comment.`, choices }
    : { text: `本次人工服务（编号 ${caseNumber}）已结束，请您评价：\n${list}\n请回复序号，也可以附上意见。`, choices };
}

export function ratingThanks(lang: Lang, rating: Rating): Reply {
  if (rating === 'dissatisfied') {
    return lang === 'en'
      ? { text: 'Thank you. We are sorry we fell short; a supervisor will look into your case.' }
      : { text: '感谢您的评价。很抱歉没能让您满意，我们的主管会跟进您的问题。' };
  }
  return lang === 'en' ? { text: 'Thank you for your feedback!' } : { text: '感谢您的评价！' };
}
