/** The knowledge base as the engine sees it, after loading and validation. */
import type { Lang } from '../core/message.ts';

export type Localized<T> = Partial<Record<Lang, T>>;

export interface KnowledgeEntry {
  id: string;
  department: string;
  title: Localized<string>;
  questions: Localized<string[]>;
  answer: Localized<string>;
  materials?: Localized<string[]>;
  links?: Array<{ title: Localized<string>; url: string }>;
  keywords: string[];
  synonyms: Record<string, string[]>;
  reviewBy?: string;
  /** The file the entry was loaded from, relative to the knowledge folder. */
  file: string;
}

export interface Department {
  id: string;
  name: Localized<string>;
}

export interface KnowledgeBase {
  entries: KnowledgeEntry[];
  departments: Department[];
  /** A hash of the content, used to key the trained model cache. */
  hash: string;
}

export interface ConversationalIntent {
  id: string;
  utterances: Localized<string[]>;
  replies: Localized<string[]>;
}

/** Picks the text in `lang`, falling back to the other language. */
export function pick<T>(value: Localized<T> | undefined, lang: Lang): T | undefined {
  if (!value) return undefined;
  return value[lang] ?? value[lang === 'zh' ? 'en' : 'zh'];
}
