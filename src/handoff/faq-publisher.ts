/** Turns an approved FAQ draft into a knowledge-base YAML file that the running server then loads and trains on. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { FaqDraft } from './ports.ts';

/** The folder inside the knowledge base that published drafts go to, one file per entry. */
export const PUBLISHED_FOLDER = 'published';

/** Writes the draft as `published/<entry id>.yaml` and returns the entry id. */
export function writePublishedEntry(knowledgeDir: string, draft: FaqDraft): { entryId: string; file: string } {
  const entryId = `staff-${draft.department}-${draft.id}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const folder = join(knowledgeDir, PUBLISHED_FOLDER);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${entryId}.yaml`);
  const content = {
    department: draft.department,
    entries: [
      {
        id: entryId,
        title: { [draft.lang]: draft.title },
        questions: { [draft.lang]: draft.questions },
        answer: { [draft.lang]: draft.answer },
      },
    ],
  };
  writeFileSync(file, `# Published from a staff reply (draft ${draft.id}); edit like any other knowledge file.\n${stringify(content)}`);
  return { entryId, file };
}
