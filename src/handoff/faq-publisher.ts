/** Turns an approved FAQ draft into a knowledge-base YAML file that the running server then loads and trains on. */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Lang } from '../core/message.ts';
import { knowledgeFileSchema } from '../knowledge/schema.ts';
import { detectLanguage } from '../nlu/language.ts';
import type { FaqDraft } from './ports.ts';

/** The folder inside the knowledge base that published drafts go to, one file per entry. */
export const PUBLISHED_FOLDER = 'published';

/** The entry id a draft is published under. */
export function entryIdOf(draft: Pick<FaqDraft, 'id' | 'department'>): string {
  return `staff-${draft.department}-${draft.id}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

/** The knowledge file of a draft: title and answer in the draft's language, each question under its own language. */
export function draftKnowledgeFile(draft: FaqDraft): { department: string; entries: Array<Record<string, unknown>> } {
  const questions: Partial<Record<Lang, string[]>> = {};
  for (const q of draft.questions) {
    const lang = detectLanguage(q, draft.lang);
    (questions[lang] ??= []).push(q);
  }
  return {
    department: draft.department,
    entries: [{ id: entryIdOf(draft), title: { [draft.lang]: draft.title }, questions, answer: { [draft.lang]: draft.answer } }],
  };
}

/** Why the draft cannot become a knowledge-base entry ("answer: must not be empty"), or null when it can. */
export function draftProblem(draft: FaqDraft): string | null {
  if (draft.answer.trim() === '') return 'answer: write the answer before publishing';
  const result = knowledgeFileSchema.safeParse(draftKnowledgeFile(draft));
  if (result.success) return null;
  const issue = result.error.issues[0];
  return `${issue?.path.filter((p) => typeof p === 'string' && p !== 'entries').join('.') || 'entry'}: ${issue?.message}`;
}

/** Writes the draft as `published/<entry id>.yaml`; `undo` puts back what was there before. */
export function writePublishedEntry(knowledgeDir: string, draft: FaqDraft): { entryId: string; file: string; undo: () => void } {
  const entryId = entryIdOf(draft);
  const folder = join(knowledgeDir, PUBLISHED_FOLDER);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${entryId}.yaml`);
  const before = existsSync(file) ? readFileSync(file, 'utf8') : null;
  const source = draft.escalationId !== null ? 'a staff reply' : draft.topicId ? `demand topic ${draft.topicId}` : 'the staff console';
  writeFileSync(file, `# Published from ${source} (draft ${draft.id}); edit like any other knowledge file.\n${stringify(draftKnowledgeFile(draft))}`);
  const undo = () => (before === null ? rmSync(file, { force: true }) : writeFileSync(file, before));
  return { entryId, file, undo };
}

/**
 * Writes the knowledge file of each published draft whose file is missing here: on several machines each has
 * its own knowledge folder, and the database says what was published on any of them. Files that exist are
 * left as they are (they may have been edited). Returns the files written.
 */
export function restorePublishedEntries(knowledgeDir: string, published: readonly FaqDraft[]): string[] {
  const written: string[] = [];
  for (const draft of published) {
    if (draft.status !== 'published' || existsSync(join(knowledgeDir, PUBLISHED_FOLDER, `${entryIdOf(draft)}.yaml`))) continue;
    written.push(writePublishedEntry(knowledgeDir, draft).file);
  }
  return written;
}
