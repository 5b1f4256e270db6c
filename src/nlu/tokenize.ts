/** Tokenisation of normalised text: jieba words plus single Han characters for Chinese, stemmed words for English. */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { StemmerEn } from '@nlpjs/lang-en-min';
import { isEnglishStopWord } from './stop-words.ts';

const HAN_RUN = /\p{Script=Han}+/gu;
const HAN_CHAR = /\p{Script=Han}/u;
const LATIN_OR_DIGIT_WORD = /[\p{L}\p{N}]+/gu;

export interface Tokens {
  /** Words in order: jieba words for Chinese, stemmed words for other scripts. */
  words: string[];
  /** Single Han characters, in order. */
  hanChars: string[];
}

const stemmer = new StemmerEn();

/** Tokenizers `Tokenizer.shared` made lately, by their words: each holds a jieba dictionary of about 45 MB outside the heap. */
const sharedTokenizers = new Map<string, Tokenizer>();
const SHARED_TOKENIZERS = 2;

/** The words jieba is taught, one per line as its user dictionary wants them. */
function userDictionaryLines(userWords: Iterable<string>): string[] {
  return [...new Set([...userWords].map((w) => w.trim()))].filter((w) => w.length >= 2 && HAN_CHAR.test(w) && !/\s/.test(w)).sort();
}

/** A tokenizer bound to one jieba instance, taught the knowledge base's own words. */
export class Tokenizer {
  private readonly jieba: Jieba;

  constructor(userWords: Iterable<string> = []) {
    this.jieba = Jieba.withDict(dict);
    const lines = userDictionaryLines(userWords).map((w) => `${w} 20000 n`);
    if (lines.length > 0) this.jieba.loadDict(Buffer.from(lines.join('\n'), 'utf8'));
  }

  /**
   * One tokenizer per set of taught words in this thread (tokenizing is read-only): the FAQ index and the
   * conversational intents of a knowledge base then share one jieba dictionary instead of loading two.
   */
  static shared(userWords: Iterable<string> = []): Tokenizer {
    const key = userDictionaryLines(userWords).join('\n');
    let tokenizer = sharedTokenizers.get(key);
    if (tokenizer) sharedTokenizers.delete(key);
    else tokenizer = new Tokenizer(key ? key.split('\n') : []);
    sharedTokenizers.set(key, tokenizer);
    if (sharedTokenizers.size > SHARED_TOKENIZERS) sharedTokenizers.delete(sharedTokenizers.keys().next().value!);
    return tokenizer;
  }

  /** Splits normalised text (see normalize.ts) into tokens. */
  tokenize(normalized: string): Tokens {
    const words: string[] = [];
    const hanChars: string[] = [];
    let last = 0;
    for (const match of normalized.matchAll(HAN_RUN)) {
      this.pushOther(normalized.slice(last, match.index), words);
      for (const w of this.jieba.cut(match[0], true)) if (w.trim()) words.push(w);
      for (const ch of match[0]) hanChars.push(ch);
      last = match.index + match[0].length;
    }
    this.pushOther(normalized.slice(last), words);
    return { words, hanChars };
  }

  /** Dictionary words and single characters only (no guessing of unknown words): where typos stay visible. */
  cutKnown(hanRun: string): string[] {
    return this.jieba.cut(hanRun, false);
  }

  private pushOther(text: string, words: string[]): void {
    for (const m of text.matchAll(LATIN_OR_DIGIT_WORD)) if (!isEnglishStopWord(m[0])) words.push(stemWord(m[0]));
  }
}

function stemWord(word: string): string {
  if (/^\d+$/.test(word) || word.length <= 3) return word;
  return stemmer.stemWord(word);
}
