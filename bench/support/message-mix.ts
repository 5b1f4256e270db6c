/** What the load benchmarks send: realistic citizen questions (test/eval/cases.jsonl, unanswerable ones included) and unique ids. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const CASES = resolve(import.meta.dirname, '../../test/eval/cases.jsonl');

/** The questions of the evaluation set (about a quarter have no answer in the knowledge base). */
export function loadQuestions(): string[] {
  return readFileSync(CASES, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => (JSON.parse(line) as { text: string }).text);
}

/** Hands out texts in turn and ids that never repeat within a run (nor across runs: a random prefix). */
export class MessageMix {
  private next = 0;
  private readonly run = randomBytes(4).toString('hex');

  constructor(
    private readonly texts: readonly string[] = loadQuestions(),
    /** How many distinct conversations the messages are spread over. */
    private readonly conversations = 2000,
    /** Makes every text unique (a number at the end), so no analysis comes from the engine's memory: the worst case. */
    private readonly distinct = false,
  ) {}

  /** A message: its text, a conversation id (16+ characters, as the widget makes them) and a unique message id. */
  take(): { text: string; conversation: string; messageId: string; seq: number } {
    const seq = this.next++;
    return {
      text: this.distinct ? `${this.texts[seq % this.texts.length]!} ${seq}` : this.texts[seq % this.texts.length]!,
      conversation: `bench-${this.run}-${String(seq % this.conversations).padStart(6, '0')}`,
      messageId: `${this.run}-${seq}`,
      seq,
    };
  }
}
