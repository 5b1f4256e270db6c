/** Parses a YAML file and validates it against a zod schema, reporting problems with line numbers. */
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import type { KnowledgeProblem } from './knowledge-error.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: KnowledgeProblem[] };

/** Parses and validates; `onData` receives the YAML's data when the YAML itself was valid (for a cache of it). */
export function parseYamlFile<S extends z.ZodType>(file: string, source: string, schema: S, onData?: (data: unknown) => void): Parsed<z.infer<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line,
        message: `not valid YAML: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const data: unknown = doc.toJS();
  onData?.(data);
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      const entryIndex = path[0] === 'entries' && typeof path[1] === 'number' ? path[1] : undefined;
      const entryId = entryIndex !== undefined ? idOf(data, entryIndex) : undefined;
      const fieldPath = entryIndex !== undefined ? path.slice(2) : path;
      return {
        file,
        line: lineOf(doc, lineCounter, path),
        entry: entryId ?? (entryIndex !== undefined ? `#${entryIndex + 1}` : undefined),
        field: fieldPath.join('.') || undefined,
        message: issue.message,
      };
    }),
  };
}

function idOf(data: unknown, index: number): string | undefined {
  const entries = (data as { entries?: unknown[] } | null)?.entries;
  const id = (entries?.[index] as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** The line of the deepest node on `path` that exists in the document. */
function lineOf(doc: ReturnType<typeof parseDocument>, counter: LineCounter, path: Array<string | number>): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}
