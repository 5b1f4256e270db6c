/** Loads the conversational intents (greeting, thanks, ask for a human, …) from the intents folder. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KnowledgeError, type KnowledgeProblem } from './knowledge-error.ts';
import { intentsFileSchema } from './schema.ts';
import type { ConversationalIntent } from './types.ts';
import { parseYamlFile } from './yaml-file.ts';

export function loadIntents(dir: string): ConversationalIntent[] {
  const intents: ConversationalIntent[] = [];
  const problems: KnowledgeProblem[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const parsed = parseYamlFile(join(dir, file), readFileSync(join(dir, file), 'utf8'), intentsFileSchema);
    if (parsed.ok) intents.push(...parsed.value.intents);
    else problems.push(...parsed.problems);
  }
  if (problems.length > 0) throw new KnowledgeError(problems);
  return intents;
}
