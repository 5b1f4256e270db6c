/** What the importers (spreadsheet, JSON FAQ) share: the YAML they write, the ids already taken, department ids for names. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import YAML, { isCollection } from 'yaml';
import type { KnowledgeProblem } from './knowledge-error.ts';
import type { EntryInput } from './schema.ts';

/** The files written by an import, and the rows skipped or other problems to fix (e.g. departments missing from departments.yaml). */
export interface ImportResult {
  files: Array<{ path: string; department: string; entries: number }>;
  skipped: KnowledgeProblem[];
}

/** The id an importer gives a department known only by its name: the same name gives the same id in every import. */
export function hashedDepartmentId(name: string): string {
  return `dept-${createHash('sha1').update(name).digest('hex').slice(0, 8)}`;
}

/** Entry ids already used by YAML files in outDir, except the files this import replaces. */
export function existingIds(outDir: string, replaced: Set<string>): Set<string> {
  const ids = new Set<string>();
  if (!existsSync(outDir)) return ids;
  for (const file of readdirSync(outDir, { recursive: true, encoding: 'utf8' })) {
    if (!/\.ya?ml$/.test(file) || basename(file) === 'departments.yaml' || replaced.has(file)) continue;
    try {
      const data = YAML.parse(readFileSync(join(outDir, file), 'utf8')) as { entries?: Array<{ id?: unknown }> } | null;
      for (const e of data?.entries ?? []) if (typeof e?.id === 'string') ids.add(e.id);
    } catch {
      // an unreadable file is reported by `huiying kb lint`, not here
    }
  }
  return ids;
}

/**
 * The file each department's entries go to (`imported-<department>.yaml` in outDir), refused when one exists
 * unless `overwrite`, and the entry ids the folder's other files already use.
 */
export function importTargets(departments: Iterable<string>, outDir: string, overwrite = false): { targets: Map<string, string>; used: Set<string> } {
  const targets = new Map<string, string>();
  for (const d of departments) targets.set(d, join(outDir, `imported-${d}.yaml`));
  for (const path of targets.values()) {
    if (existsSync(path) && !overwrite) {
      throw new Error(`${path} already exists: not overwriting it (pass the overwrite option, --overwrite, to replace it)`);
    }
  }
  return { targets, used: existingIds(outDir, new Set([...targets.values()].map((p) => basename(p)))) };
}

/** A knowledge file as YAML: answers as `|` blocks, short lists and titles on one line, `comment` at the top. */
export function knowledgeFileYaml(data: { department: string; entries: EntryInput[] }, comment: string): string {
  const doc = new YAML.Document(data);
  doc.commentBefore = comment;
  data.entries.forEach((entry, i) => {
    const flow = (...path: Array<string | number>): void => {
      const node = doc.getIn(['entries', i, ...path], true);
      if (isCollection(node)) node.flow = true;
    };
    flow('title');
    flow('materials', 'zh');
    flow('materials', 'en');
    flow('keywords');
    entry.links?.forEach((_, j) => flow('links', j));
  });
  return doc.toString({ blockQuote: 'literal', lineWidth: 0 });
}
