/**
 * Administrators add and rename departments: the change is written into the knowledge base's
 * `departments.yaml` (comments and layout kept), which the running server then reloads.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { DEPARTMENTS_FILE } from '../knowledge/knowledge-loader.ts';
import { HandoffError } from './handoff-service.ts';

export interface DepartmentInput {
  id: string;
  name: { zh?: string; en?: string };
}

function load(knowledgeDir: string) {
  const file = join(knowledgeDir, DEPARTMENTS_FILE);
  const doc = parseDocument(existsSync(file) ? readFileSync(file, 'utf8') : 'departments: []\n');
  let list = doc.get('departments');
  if (!isSeq(list)) {
    list = new YAMLSeq();
    doc.set('departments', list);
  }
  return { file, doc, list: list as YAMLSeq };
}

function findIndex(list: YAMLSeq, id: string): number {
  return list.items.findIndex((item) => isMap(item) && item.get('id') === id);
}

/** Appends a department; refuses an id that exists. */
export function addDepartment(knowledgeDir: string, input: DepartmentInput): void {
  const { file, doc, list } = load(knowledgeDir);
  if (findIndex(list, input.id) >= 0 || input.id === 'general') throw new HandoffError('conflict', `department "${input.id}" already exists`);
  list.add(doc.createNode({ id: input.id, name: input.name }, { flow: false }));
  writeFileSync(file, doc.toString());
}

/** Changes a department's display names; its id (which entries and staff refer to) stays. */
export function renameDepartment(knowledgeDir: string, id: string, name: DepartmentInput['name']): void {
  const { file, doc, list } = load(knowledgeDir);
  const index = findIndex(list, id);
  if (index < 0) throw new HandoffError('not_found', `no department "${id}" in ${DEPARTMENTS_FILE}`);
  (list.items[index] as YAMLMap).set('name', doc.createNode(name, { flow: true }));
  writeFileSync(file, doc.toString());
}
