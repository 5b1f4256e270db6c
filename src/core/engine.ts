/** The engine: one message and the conversation's state in, replies, outcome and new state out. No I/O. */
import type { KnowledgeEntry, KnowledgeBase, ConversationalIntent } from '../knowledge/types.ts';
import { pick } from '../knowledge/types.ts';
import { LRUCache } from 'lru-cache';
import type { BotModel } from '../nlu/bot-model.ts';
import type { MatchResult } from '../nlu/faq-matcher.ts';
import type { IntentMatch } from '../nlu/intent-recognizer.ts';
import { detectLanguage } from '../nlu/language.ts';
import { normalize } from '../nlu/normalize.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { pickChoice } from './choice-pick.ts';
import type { ConversationState } from './conversation-state.ts';
import { followUpAspect } from './follow-up.ts';
import type { Candidate, EngineResult, IncomingMessage, Lang, Outcome, Reply } from './message.ts';
import { clarifyReply, entryReply, intentReply, materialsReply, phrase, unansweredReply } from './replies.ts';

export type DemandReason = 'no_match' | 'ambiguous' | 'not_helpful' | 'asked_for_human';

/** A question the bot could not answer well: what the demand log records. */
export interface DemandSignal {
  text: string;
  reason: DemandReason;
  candidates: Candidate[];
}

export interface EngineTurn {
  result: EngineResult;
  state: ConversationState;
  demand?: DemandSignal;
}

/** What answers a message given the conversation's state: the engine itself, or engine threads running copies of it. */
export interface Responder {
  respond(message: IncomingMessage, state: ConversationState): Promise<EngineTurn>;
  /** The best-matching entries for a text with their scores (for routing a case by its question). */
  candidates(text: string): Promise<Candidate[]>;
  /** Ids of the entries a staff search box offers for a text, best first. */
  searchIds(text: string, limit?: number): Promise<string[]>;
}

/** Intents that may override the FAQ answer only when the message is short. */
const SHORT_MESSAGE_CHARS = 8;
const INTENT_MIN_SCORE = 0.8;
const FAQ_CONFIDENT = 0.6;

export interface EngineOptions {
  /**
   * How many recent texts keep their FAQ match and intent (both depend on the text alone), so a question many
   * citizens send in the same hour is analysed once. Texts with personal data in them (an ID or phone number)
   * are never kept: they do not repeat, and the memory should not hold them. 0 turns the memory off (the
   * evaluation measures cold).
   */
  analysisCacheSize?: number;
  /** Where hits and misses are counted (shared by the engines a reload replaces, so the counts carry on). */
  analysisStats?: AnalysisCacheStats;
}

/** How often the analysis of a text came from memory. */
export interface AnalysisCacheStats {
  hits: number;
  misses: number;
}

const DEFAULT_ANALYSIS_CACHE_SIZE = 4096;

/** What the engine remembers of a text: the FAQ matcher's verdict, and the intent per language once recognised. */
interface Analysis {
  match: MatchResult;
  intents: Partial<Record<Lang, IntentMatch>>;
}

export class Engine implements Responder {
  private readonly entries: Map<string, KnowledgeEntry>;
  private readonly intentsById: Map<string, ConversationalIntent>;
  private readonly analyses: LRUCache<string, Analysis> | null;
  private readonly analysisStats: AnalysisCacheStats;

  constructor(
    private readonly model: BotModel,
    intents: readonly ConversationalIntent[] = [],
    options: EngineOptions = {},
  ) {
    this.entries = new Map(model.kb.entries.map((e) => [e.id, e]));
    this.intentsById = new Map(intents.map((i) => [i.id, i]));
    const max = options.analysisCacheSize ?? DEFAULT_ANALYSIS_CACHE_SIZE;
    this.analyses = max > 0 ? new LRUCache({ max }) : null;
    this.analysisStats = options.analysisStats ?? { hits: 0, misses: 0 };
  }

  /** The FAQ matcher's verdict on `text`, from memory when the text was seen lately. */
  private match(text: string): MatchResult {
    const cached = this.analyses?.get(text);
    if (cached) {
      this.analysisStats.hits++;
      return cached.match;
    }
    this.analysisStats.misses++;
    const match = this.model.matcher.match(text);
    if (this.analyses && rememberable(text)) this.analyses.set(text, { match, intents: {} });
    return match;
  }

  /** The intent recognised in `text`; kept beside the text's match when the text is in memory (match it first). */
  private async recognizeIntent(text: string, lang: Lang): Promise<IntentMatch | null> {
    const intents = this.model.intents;
    if (!intents) return null;
    const remembered = this.analyses?.peek(text);
    const cached = remembered?.intents[lang];
    if (cached) return cached;
    const intent = await intents.recognize(text, lang);
    if (remembered) remembered.intents[lang] = intent;
    return intent;
  }

  get knowledgeBase(): KnowledgeBase {
    return this.model.kb;
  }

  /** Engine v2's model buffer, shared with other threads (null for v1, whose model is a graph of objects). */
  get sharedModel(): SharedArrayBuffer | null {
    return this.model.shared ?? null;
  }

  /** How the model was obtained (for metrics): training time in ms, and whether it came from the cache. */
  get modelInfo(): { trainMs: number; fromCache: boolean } {
    return { trainMs: this.model.trainMs, fromCache: this.model.fromCache };
  }

  /** The best-matching entries for a text with their scores (for routing a case by its question). */
  candidates(text: string): Promise<Candidate[]> {
    return Promise.resolve(this.match(text).candidates.map((c) => ({ entryId: c.id, score: c.score })));
  }

  searchIds(text: string, limit?: number): Promise<string[]> {
    return Promise.resolve(this.search(text, limit).map((e) => e.id));
  }

  /** Entries for a staff search box: titles and questions containing the text first, then the matcher's best guesses. */
  search(text: string, limit = 8): KnowledgeEntry[] {
    const needle = normalize(text).replace(/\s+/g, '');
    if (!needle) return [];
    const literal = this.model.kb.entries.filter((e) =>
      [...Object.values(e.title), ...Object.values(e.questions).flat(), e.id].some((t) => normalize(t).replace(/\s+/g, '').includes(needle)),
    );
    const guessed = this.model.matcher.match(text).candidates.map((c) => this.entries.get(c.id)).filter((e) => e !== undefined);
    return [...new Set([...literal, ...guessed])].slice(0, limit);
  }

  async respond(message: IncomingMessage, previous: ConversationState): Promise<EngineTurn> {
    const text = message.text.trim();
    // The language the text is written in is how it is understood (intents); the reply is in the language the
    // channel asked for (the widget's, kept until the citizen switches it), else in the text's.
    const written: Lang = detectLanguage(text, previous.lang ?? 'zh');
    const lang: Lang = message.lang ?? written;
    const state: ConversationState = { ...previous, lang };
    const turn = (outcome: Outcome, replies: Reply[], extra: Partial<EngineResult> = {}): EngineResult => ({
      conversationId: message.conversationId,
      lang,
      outcome,
      replies,
      candidates: [],
      ...extra,
    });

    if (!text) return { result: turn('unanswered', [{ text: phrase('empty', lang) }]), state };

    if (state.pendingChoices) {
      const choices = state.pendingChoices.map((id) => this.entries.get(id)).filter((e) => e !== undefined);
      const n = pickChoice(text, choices.map((e) => pick(e.title, lang) ?? e.id));
      state.pendingChoices = undefined;
      const chosen = n !== null ? choices[n - 1] : undefined;
      if (chosen) return this.answer(chosen, lang, state, turn, []);
    }

    const match = this.match(text);
    const candidates: Candidate[] = match.candidates.map((c) => ({ entryId: c.id, score: c.score }));
    const intent = await this.recognizeIntent(text, written);
    const normalized = normalize(text);
    const isShort = normalized.replace(/\s/g, '').length <= SHORT_MESSAGE_CHARS || normalized.split(' ').length <= 6;
    const strongIntent = intent && intent.intent !== 'None' && intent.score >= INTENT_MIN_SCORE ? intent.intent : null;
    // Asking for a person or saying "that didn't help" wins unless the FAQ answer is itself confident.
    const faqConfident = match.kind === 'answer' && match.confidence >= FAQ_CONFIDENT;
    // Small talk ("你好", "thanks", "重新开始") only in short messages the knowledge base has no confident answer to.
    const smallTalkAllowed = isShort && !faqConfident;

    if (strongIntent === 'human' && (isShort || !faqConfident)) {
      const demandText = state.lastUnanswered ?? text;
      state.lastUnanswered = undefined;
      return {
        result: turn('escalated', [{ text: phrase('escalated', lang) }], { candidates, intent: 'human' }),
        state,
        demand: { text: demandText, reason: 'asked_for_human', candidates },
      };
    }
    if (strongIntent === 'not_helpful' && (isShort || !faqConfident)) {
      const last = state.lastEntryId;
      const demandText = state.lastUnanswered ?? text;
      return {
        result: turn('unanswered', [unansweredReplyFor('notHelpful', lang)], { candidates, intent: 'not_helpful' }),
        state: { ...state, misses: state.misses + 1 },
        demand: { text: demandText, reason: 'not_helpful', candidates: last ? [{ entryId: last, score: 1 }] : candidates },
      };
    }
    if (strongIntent && smallTalkAllowed && strongIntent !== 'human' && strongIntent !== 'not_helpful') {
      if (strongIntent === 'restart') {
        return { result: turn('smalltalk', [{ text: phrase('restart', lang) }], { intent: strongIntent }), state: { lang, misses: 0 } };
      }
      const reply = intentReply(this.intentsById.get(strongIntent), lang);
      if (reply) return { result: turn('smalltalk', [reply], { candidates, intent: strongIntent }), state };
    }

    const last = state.lastEntryId ? this.entries.get(state.lastEntryId) : undefined;
    if (last) {
      const aspect = followUpAspect(normalized);
      if (aspect === 'materials') return this.reply(turn('answered', [materialsReply(last, lang)], { candidates }), state, last);
      if (aspect === 'general') return this.answer(last, lang, state, turn, candidates);
      if (hasContextCue(normalized) || (match.kind === 'reject' && Array.from(normalized.replace(/\s+/g, '')).length <= 5)) {
        // "那补办呢?" after an answer about 身份证: read the question together with the last topic (its
        // first keyword, else its title), preferring an entry of the same department. Getting the last
        // entry back means the topic alone matched.
        const topic = last.keywords[0] ?? pick(last.title, lang) ?? '';
        const contextual = this.match(`${topic} ${text}`);
        const related = contextual.candidates
          .map((c) => this.entries.get(c.id))
          .find((e) => e !== undefined && e.id !== last.id && e.department === last.department);
        const entry = related ?? (contextual.kind === 'answer' ? this.entries.get(contextual.ids[0]!) : undefined);
        if (entry && entry.id !== last.id) {
          return this.answer(entry, lang, state, turn, contextual.candidates.map((c) => ({ entryId: c.id, score: c.score })));
        }
      }
    }

    if (match.kind === 'answer') {
      const entry = this.entries.get(match.ids[0]!);
      if (entry) return this.answer(entry, lang, state, turn, candidates);
    }
    if (match.kind === 'clarify') {
      const options = match.ids.map((id) => this.entries.get(id)).filter((e) => e !== undefined);
      return {
        result: turn('clarify', [clarifyReply(options, lang)], { candidates }),
        state: { ...state, pendingChoices: options.map((e) => e.id) },
        demand: { text, reason: 'ambiguous', candidates },
      };
    }
    return {
      result: turn('unanswered', [unansweredReply(lang)], { candidates }),
      state: { ...state, lastEntryId: undefined, lastUnanswered: text, misses: state.misses + 1 },
      demand: { text, reason: 'no_match', candidates },
    };
  }

  private answer(
    entry: KnowledgeEntry,
    lang: Lang,
    state: ConversationState,
    turn: (o: Outcome, r: Reply[], extra?: Partial<EngineResult>) => EngineResult,
    candidates: Candidate[],
  ): EngineTurn {
    return this.reply(turn('answered', [entryReply(entry, lang)], { candidates }), state, entry);
  }

  private reply(result: EngineResult, state: ConversationState, entry: KnowledgeEntry): EngineTurn {
    return { result, state: { ...state, lastEntryId: entry.id, pendingChoices: undefined, lastUnanswered: undefined, misses: 0 } };
  }
}

function unansweredReplyFor(key: 'notHelpful', lang: Lang): Reply {
  return { ...unansweredReply(lang), text: phrase(key, lang) };
}

/** Whether a text may stay in the analysis memory: not when it carries personal data. */
function rememberable(text: string): boolean {
  return maskPersonalData(text) === text;
}

/** Words that mark a message as leaning on the previous topic ("那补办呢?", "what about renewing?"). */
const CONTEXT_CUES = /^(?:那|那么|如果|还有|还|要是)|呢$|呢\s*$|^(?:and|what about|how about|what if|if)\b/;

/** A message that leans on the previous topic by its wording ("那补办呢?", "what about renewing?"). */
function hasContextCue(normalized: string): boolean {
  return CONTEXT_CUES.test(normalized.trim());
}
