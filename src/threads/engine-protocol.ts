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
  | { kind: 'reload'; id: number };

export type FromEngineThread =
  | { kind: 'ready' }
  | { kind: 'failed'; error: string }
  /** `analysis`: the thread's analysis-cache hits and misses since its previous turn message. */
  | { kind: 'turn'; id: number; turn: EngineTurn; analysis: AnalysisCacheStats }
  | { kind: 'reloaded'; id: number }
  | { kind: 'error'; id: number; error: string };
