/** Messages between the main thread and an engine thread (structured clone: plain data and Dates only). */
import type { ConversationState } from '../core/conversation-state.ts';
import type { AnalysisCacheStats, EngineTurn } from '../core/engine.ts';
import type { IncomingMessage } from '../core/message.ts';
import type { KnowledgeBase } from '../knowledge/types.ts';

/** The folders an engine thread builds its engine from (the model comes from the cache the main thread wrote). */
export interface EngineThreadSettings {
  KNOWLEDGE_DIR: string;
  INTENTS_DIR: string;
  MODEL_CACHE_DIR: string;
  ENGINE: 'v1' | 'v2';
  DECISION_STRICTNESS: number;
  /** Engine v2: the model another thread of the generation built or loaded, mapped instead of read again. */
  sharedModel?: SharedArrayBuffer;
  /** The knowledge base as the main thread just loaded it from KNOWLEDGE_DIR, instead of each thread reading it. */
  knowledge?: KnowledgeBase;
}

export type ToEngineThread =
  | { kind: 'respond'; id: number; message: Omit<IncomingMessage, 'address'>; state: ConversationState }
  | { kind: 'candidates'; id: number; text: string }
  | { kind: 'search'; id: number; text: string; limit?: number }
  /**
   * Engine v2: build the engine again and answer with it from now on (a live edit takes milliseconds), on
   * `knowledge` as the main thread loaded it (else read from the folder); `shared`, a model another thread just
   * built or loaded, is mapped when it fits. Answered with a `value` of ThreadReloaded.
   */
  | { kind: 'reload'; id: number; shared: SharedArrayBuffer | null; knowledge: KnowledgeBase | null }
  /** For tests: blocks the thread for `ms`, as a long garbage-collection pause would. */
  | { kind: 'stall'; ms: number };

/** A thread's engine after a `reload`: how its model was obtained and its buffer (engine v2). */
export interface ThreadReloaded {
  model: { trainMs: number; fromCache: boolean };
  shared: SharedArrayBuffer | null;
}

export type FromEngineThread =
  /** The engine is built: how its model was obtained. */
  | { kind: 'ready'; model: { trainMs: number; fromCache: boolean }; shared: SharedArrayBuffer | null }
  | { kind: 'failed'; error: string }
  /** `analysis`: the thread's analysis-cache hits and misses since its previous turn message. */
  | { kind: 'turn'; id: number; turn: EngineTurn; analysis: AnalysisCacheStats }
  /** The answer to `candidates` or `search`. */
  | { kind: 'value'; id: number; value: unknown }
  | { kind: 'error'; id: number; error: string };
