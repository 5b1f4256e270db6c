/** The zod schemas of the knowledge-base YAML files, the departments file and the intents file. */
import { z } from 'zod';

const text = z.string().trim().min(1, 'must not be empty');
const textList = z.array(text);

const localizedText = z
  .object({ zh: text.optional(), en: text.optional() })
  .strict()
  .refine((v) => v.zh !== undefined || v.en !== undefined, 'needs a zh or an en text');

const localizedList = z
  .object({ zh: textList.optional(), en: textList.optional() })
  .strict()
  .refine((v) => (v.zh?.length ?? 0) + (v.en?.length ?? 0) > 0, 'needs at least one zh or en item');

const isoDate = z.union([
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2027-06-30'),
  z.date().transform((d) => d.toISOString().slice(0, 10)),
]);

export const entrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes'),
    department: z.string().min(1).optional(),
    title: localizedText,
    questions: localizedList,
    answer: localizedText,
    materials: localizedList.optional(),
    links: z
      .array(
        z.object({ title: z.union([text, localizedText]), url: z.url({ protocol: /^https?$/ }) }).strict(),
      )
      .optional(),
    keywords: textList.optional(),
    synonyms: z.record(text, textList).optional(),
    reviewBy: isoDate.optional(),
  })
  .strict();

export const knowledgeFileSchema = z
  .object({
    department: z.string().min(1).optional(),
    entries: z.array(entrySchema).min(1, 'a knowledge file needs at least one entry'),
  })
  .strict();

/** Extra question variants for an entry defined in another file (`variants-<entry id>.yaml`, written by the console). */
export const variantsFileSchema = z
  .object({
    variantsOf: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be an entry id'),
    questions: localizedList,
  })
  .strict();

export const departmentsFileSchema = z
  .object({
    departments: z.array(
      z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/), name: localizedText }).strict(),
    ),
  })
  .strict();

export const intentsFileSchema = z
  .object({
    intents: z.array(
      z
        .object({
          id: z.string().min(1),
          utterances: localizedList,
          replies: localizedList,
        })
        .strict(),
    ),
  })
  .strict();

export type EntryInput = z.infer<typeof entrySchema>;
