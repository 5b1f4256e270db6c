/** The bot's own words in both languages, and how an entry becomes a reply. Channel-neutral: plain text plus choices and links. */
import type { ConversationalIntent, KnowledgeEntry } from '../knowledge/types.ts';
import { pick } from '../knowledge/types.ts';
import type { Choice, Lang, Reply } from './message.ts';

const TEXT = {
  zh: {
    materials: '所需材料：',
    onlyOtherLanguage: '',
    clarify: '您是想问：',
    clarifyHint: '请回复序号，例如“1”。',
    unanswered: '抱歉，这个问题我暂时无法回答。您的问题已记录，我们会尽快完善答复。需要人工服务请回复“转人工”。',
    human: '转人工',
    escalated: '好的，正在为您转接人工服务，请稍候。',
    notHelpful: '抱歉没能帮到您，您的反馈已记录。您可以换个说法再问一次，或回复“转人工”联系工作人员。',
    noMaterials: '这项业务没有列出需要携带的材料，详细要求请见上面的办理说明。',
    restart: '好的，我们重新开始。请问您想办理什么业务？',
    empty: '请输入您的问题，例如“居住证怎么办理？”',
  },
  en: {
    materials: 'Documents to bring:',
    onlyOtherLanguage: '(This answer is only available in Chinese.)',
    clarify: 'Did you mean:',
    clarifyHint: 'Reply with a number, for example "1".',
    unanswered:
      "Sorry, I can't answer that yet. Your question has been recorded so we can add an answer. Reply \"human\" to talk to a person.",
    human: 'Talk to a person',
    escalated: 'OK, I am passing you to a member of staff. Please wait a moment.',
    notHelpful: "Sorry that didn't help; your feedback has been recorded. Try asking another way, or reply \"human\" to talk to a person.",
    noMaterials: 'No documents are listed for this service; see the answer above for the details.',
    restart: "OK, let's start again. What would you like to ask?",
    empty: 'Please type your question, for example "How do I apply for a residence permit?"',
  },
} as const;

export type Phrase = keyof (typeof TEXT)['zh'];

export function phrase(key: Phrase, lang: Lang): string {
  return TEXT[lang][key];
}

/** The full answer of an entry: answer text, materials and links. */
export function entryReply(entry: KnowledgeEntry, lang: Lang): Reply {
  const answer = pick(entry.answer, lang) ?? '';
  const fellBack = entry.answer[lang] === undefined;
  const materials = pick(entry.materials, fellBack ? (lang === 'zh' ? 'en' : 'zh') : lang);
  const parts = [fellBack && lang === 'en' ? `${TEXT.en.onlyOtherLanguage}\n${answer}` : answer.trim()];
  if (materials && materials.length > 0) {
    const heading = TEXT[fellBack ? 'zh' : lang].materials;
    parts.push(`${heading}\n${materials.map((m) => `- ${m}`).join('\n')}`);
  }
  const links = entry.links?.map((l) => ({ title: pick(l.title, lang) ?? l.url, url: l.url }));
  return { text: parts.join('\n\n').trim(), links: links && links.length > 0 ? links : undefined, entryId: entry.id };
}

/** Just the materials of an entry, for "需要什么材料?" after an answer. */
export function materialsReply(entry: KnowledgeEntry, lang: Lang): Reply {
  const materials = pick(entry.materials, lang);
  const title = pick(entry.title, lang) ?? entry.id;
  if (!materials || materials.length === 0) return { text: `${title}：${TEXT[lang].noMaterials}`, entryId: entry.id };
  return { text: `${title} — ${TEXT[lang].materials}\n${materials.map((m) => `- ${m}`).join('\n')}`, entryId: entry.id };
}

/** "您是想问: 1. … 2. …" with the same options as numbered choices. */
export function clarifyReply(entries: readonly KnowledgeEntry[], lang: Lang): Reply {
  const choices: Choice[] = entries.map((e, i) => ({ label: pick(e.title, lang) ?? e.id, value: String(i + 1) }));
  const lines = choices.map((c) => `${c.value}. ${c.label}`);
  return { text: `${TEXT[lang].clarify}\n${lines.join('\n')}\n${TEXT[lang].clarifyHint}`, choices };
}

export function unansweredReply(lang: Lang): Reply {
  return { text: TEXT[lang].unanswered, choices: [{ label: TEXT[lang].human, value: lang === 'zh' ? '转人工' : 'human' }] };
}

/** The reply written for a conversational intent, in the citizen's language. */
export function intentReply(intent: ConversationalIntent | undefined, lang: Lang): Reply | null {
  const text = pick(intent?.replies, lang)?.[0];
  return text ? { text } : null;
}
