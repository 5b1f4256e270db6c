// Type declarations for packages that ship none.

declare module '@node-rs/jieba/dict.js' {
  export const dict: Uint8Array;
}

declare module '@nlpjs/lang-en-min' {
  export class StemmerEn {
    stemWord(word: string): string;
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
