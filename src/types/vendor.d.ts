// Type declarations for packages that ship none.

declare module '@node-rs/jieba/dict.js' {
  export const dict: Uint8Array;
}

declare module '@nlpjs/lang-en-min' {
  export class StemmerEn {
    stemWord(word: string): string;
  }
  /** The plugin that gives a container English's tokenizer, stemmer, normalizer and stop words. */
  export const LangEn: unknown;
}

declare module '@nlpjs/core' {
  export function containerBootstrap(): { use(plugin: unknown): void; register(name: string, item: unknown, isSingleton?: boolean): void };
}

declare module '@nlpjs/nlp' {
  export class Nlp {
    constructor(settings?: Record<string, unknown>);
  }
}

declare module 'node-nlp' {
  export class NlpManager {
    constructor(settings?: Record<string, unknown>);
    container: { register(name: string, value: unknown, isSingleton?: boolean): void };
    addDocument(locale: string, utterance: string, intent: string): void;
    train(): Promise<void>;
    process(locale: string, utterance: string): Promise<{ intent: string; score: number; locale?: string }>;
    export(minified?: boolean): string;
    import(data: string): void;
  }
}
