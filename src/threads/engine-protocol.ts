/** Messages between the main thread and an engine thread (structured clone: plain data and Dates only). */
import type { ConversationState } from '../core/conversation-state.ts';
import type { AnalysisCacheStats, EngineTurn } from '../core/engine.ts';
import type { IncomingMessage } from '../core/message.ts';

/** The folders an engine thread builds its engine from (the model comes from the cache the main thread wrote). */
export interface EngineThreadSettings {
  KNOWLEDGE_DIR: string;
  INTENTS_DIR: string;
  MODEL_CACHE_DIR: string;
}

export type ToEngineThread =
  | { kind: 'respond'; id: number; message: Omit<IncomingMessage, 'address'>; state: ConversationState }
  | { kind: 'candidates'; id: number; text: string }
  | { kind: 'search'; id: number; text: string; limit?: number }
  /** For tests: blocks the thread for `ms`, as a long garbage-collection pause would. */
  | { kind: 'stall'; ms: number };

export type FromEngineThread =
  /** The engine is built: how its model was obtained. */
  | { kind: 'ready'; model: { trainMs: number; fromCache: boolean } }
  | { kind: 'failed'; error: string }
  /** `analysis`: the thread's analysis-cache hits and misses since its previous turn message. */
  | { kind: 'turn'; id: number; turn: EngineTurn; analysis: AnalysisCacheStats }
  /** The answer to `candidates` or `search`. */
  | { kind: 'value'; id: number; value: unknown }
  | { kind: 'error'; id: number; error: string };
