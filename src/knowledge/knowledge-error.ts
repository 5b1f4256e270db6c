/** A problem found in a knowledge-base file, pointing at the file, the entry, the field and the line. */
export interface KnowledgeProblem {
  file: string;
  line?: number;
  entry?: string;
  field?: string;
  message: string;
}

export function formatProblem(p: KnowledgeProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}` : p.file;
  const entry = p.entry !== undefined ? ` entry "${p.entry}"` : '';
  const field = p.field ? ` field ${p.field}` : '';
  return entry || field ? `${where}:${entry}${field}: ${p.message}` : `${where}: ${p.message}`;
}

/** Thrown when the knowledge base cannot be loaded; carries every problem found, not just the first. */
export class KnowledgeError extends Error {
  constructor(readonly problems: KnowledgeProblem[]) {
    super(`knowledge base has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'KnowledgeError';
  }
}
