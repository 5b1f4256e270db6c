/** What `huiying eval` does with its files: load the knowledge base (less some entries) and the cases, train, score. */
import { loadIntents } from '../knowledge/intents-loader.ts';
import { loadKnowledgeBase } from '../knowledge/knowledge-loader.ts';
import { readCases } from './eval-cases.ts';
import { evaluateKnowledgeBase, type EngineChoice } from './evaluate.ts';
import { knowledgeWithout } from './folds.ts';

export interface EvalFiles extends EngineChoice {
  /** Knowledge folder, or JSON `{"entries":[{"id","questions","answer"}]}`. */
  kb: string;
  /** JSON lines `{"text","expect": id|null}`. */
  cases: string;
  /** Entry ids left out of training. */
  leaveOut?: readonly string[];
  /** Conversational intents folder, or null for the knowledge base alone. */
  intentsDir?: string | null;
}

export async function evaluateFiles(files: EvalFiles): Promise<Awaited<ReturnType<typeof evaluateKnowledgeBase>>> {
  const kb = knowledgeWithout(loadKnowledgeBase(files.kb), files.leaveOut ?? [], files.kb);
  const cases = readCases(files.cases);
  return evaluateKnowledgeBase(kb, cases, files.intentsDir ? loadIntents(files.intentsDir) : null, { engine: files.engine, decisionWithout: files.decisionWithout });
}
