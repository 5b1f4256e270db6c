/** Reads the human side's settings beside the knowledge base: service hours and canned replies. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { KnowledgeError } from '../knowledge/knowledge-error.ts';
import { CANNED_REPLIES_FILE, SERVICE_HOURS_FILE } from '../knowledge/knowledge-loader.ts';
import { parseYamlFile } from '../knowledge/yaml-file.ts';
import { ServiceHours, serviceHoursSchema } from './service-hours.ts';

const cannedRepliesSchema = z
  .object({
    replies: z.array(
      z.object({ title: z.string().trim().min(1), text: z.object({ zh: z.string().optional(), en: z.string().optional() }).strict() }).strict(),
    ),
  })
  .strict();

export type CannedReply = z.infer<typeof cannedRepliesSchema>['replies'][number];

function readOptional<S extends z.ZodType>(dir: string, file: string, schema: S): z.infer<S> | undefined {
  const path = join(dir, file);
  if (!existsSync(path)) return undefined;
  const parsed = parseYamlFile(file, readFileSync(path, 'utf8'), schema);
  if (!parsed.ok) throw new KnowledgeError(parsed.problems);
  return parsed.value;
}

/** Business hours, holidays and response targets from `service-hours.yaml` (defaults when it is absent). */
export function loadServiceHours(knowledgeDir: string): ServiceHours {
  return new ServiceHours(readOptional(knowledgeDir, SERVICE_HOURS_FILE, serviceHoursSchema) ?? serviceHoursSchema.parse({}));
}

/** Staff's ready-made replies from `canned-replies.yaml` (none when it is absent). */
export function loadCannedReplies(knowledgeDir: string): CannedReply[] {
  return readOptional(knowledgeDir, CANNED_REPLIES_FILE, cannedRepliesSchema)?.replies ?? [];
}
