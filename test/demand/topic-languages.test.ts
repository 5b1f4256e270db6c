/**
 * Chinese and English questions about one need: separate topics, each labelled in its own language; a mixed question
 * joins one of them, several can bridge them into one bilingual topic. Likely departments from the knowledge base and
 * resolved escalations.
 */
import { describe, expect, it } from 'vitest';
import { groupTopics } from '../../src/demand/group-topics.ts';
import { likelyDepartments, topicLabel } from '../../src/demand/topic-summary.ts';
import { draftKnowledgeFile } from '../../src/handoff/faq-publisher.ts';
import { featurizer, NOISE } from './fixtures.ts';

const DOG_ZH = ['养犬登记怎么办理', '养犬登记在哪里办', '办理养犬登记需要什么材料', '养犬登记要多少钱'];
const DOG_EN = ['How do I register my dog?', 'Where can I register a dog?', 'What do I need to register my dog?', 'How much is the dog registration fee?'];
const HAN = /\p{Script=Han}/u;

describe('topics in Chinese and English', () => {
  const group = (texts: readonly string[]) => {
    const result = groupTopics(
      [...texts, ...NOISE].map((text) => ({ text })),
      { featurizer },
    );
    return { result, topicOf: (i: number) => result.topics.find((t) => t.members.includes(i)) };
  };

  it('keeps Chinese and English questions about the same need in separate topics, each labelled in its language', () => {
    const { topicOf } = group([...DOG_ZH, ...DOG_EN]);
    const zh = topicOf(0)!;
    const en = topicOf(DOG_ZH.length)!;
    expect(zh.id).not.toBe(en.id);
    for (let i = 0; i < DOG_ZH.length; i++) expect(topicOf(i)?.id).toBe(zh.id);
    for (let i = 0; i < DOG_EN.length; i++) expect(topicOf(DOG_ZH.length + i)?.id).toBe(en.id);
    expect([zh.lang, en.lang]).toEqual(['zh', 'en']);
    expect(zh.label).toMatch(/养犬/);
    expect(en.label).toMatch(/dog/i);
    expect(en.label).not.toMatch(HAN);
  });

  it('puts a mixed question in one of them, and the English topic keeps an English label', () => {
    const { result, topicOf } = group([...DOG_ZH, ...DOG_EN, '养犬登记 dog registration 怎么办']);
    expect(result.topics).toHaveLength(2);
    const en = topicOf(DOG_ZH.length)!;
    expect(topicOf(DOG_ZH.length + DOG_EN.length)).toBeDefined();
    expect(en.keywords.some((k) => HAN.test(k))).toBe(true);
    expect(en.lang).toBe('en');
    expect(en.label).not.toMatch(HAN);
  });

  it('lets several mixed questions bridge the two into one bilingual topic, whose FAQ draft gets questions in both languages', () => {
    const texts = [...DOG_ZH, ...DOG_EN, '养犬登记 dog registration 怎么办', 'How do I register my dog for 养犬登记?'];
    const { result, topicOf } = group(texts);
    const dog = topicOf(0)!;
    expect(result.topics).toHaveLength(1);
    expect(dog.members).toEqual(texts.map((_, i) => i));
    const file = draftKnowledgeFile({
      id: 1, escalationId: null, department: 'public-security', lang: dog.lang, title: dog.label, questions: texts, answer: '到派出所办理。',
      status: 'draft', entryId: null, createdBy: 1, createdAt: new Date(), topicId: dog.id, dueAt: null, submittedAt: null, submittedBy: null, updatedAt: null, askedIn: [],
    });
    const questions = file.entries[0]!.questions as { zh: string[]; en: string[] };
    expect(questions.zh).toEqual([...DOG_ZH, '养犬登记 dog registration 怎么办']);
    expect(questions.en).toEqual([...DOG_EN, 'How do I register my dog for 养犬登记?']);
  });

  it('prefers key words in the topic language for the label and falls back to the others', () => {
    expect(topicLabel(['dog', '养犬', '登记', 'register'], 'en')).toBe('dog / register');
    expect(topicLabel(['dog', '养犬', '登记', 'register'], 'zh')).toBe('养犬、登记');
    expect(topicLabel(['养犬', '登记'], 'en')).toBe('养犬、登记');
  });
});

describe('likely departments', () => {
  it('combines the knowledge base with where people resolved escalations, which counts double', () => {
    const departmentOf = (id: string) => ({ 'employment-registration': 'employment', 'household-permit': 'public-security' })[id];
    const guess = [{ entryId: 'employment-registration', score: 0.4 }];
    const departments = likelyDepartments(
      [
        { text: 'a', candidates: guess },
        { text: 'b', candidates: guess },
        { text: 'c', candidates: guess, resolvedDepartment: 'public-security' },
        { text: 'd', candidates: guess, resolvedDepartment: 'public-security' },
      ],
      departmentOf,
    );
    expect(departments).toEqual([
      { department: 'employment', share: 0.667 },
      { department: 'public-security', share: 0.333, resolved: 2 },
    ]);
    const more = likelyDepartments([{ text: 'a', candidates: guess }, { text: 'b', candidates: guess, resolvedDepartment: 'public-security' }, { text: 'c', resolvedDepartment: 'public-security' }], departmentOf);
    expect(more[0]).toEqual({ department: 'public-security', share: 0.556, resolved: 2 });
  });
});
