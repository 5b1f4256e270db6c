/** Reads an evaluation cases file: one JSON object a line, `{"text": ..., "expect": "<entry id>" | null}`. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export interface EvalCase {
  text: string;
  expect: string | null;
}

const caseSchema = z.object({ text: z.string(), expect: z.union([z.string(), z.number().transform(String), z.null()]) });

/** Thrown for a bad cases file; the message names the file and line. */
export class CasesFileError extends Error {
  override name = 'CasesFileError';
}

export function readCases(file: string): EvalCase[] {
  const cases: EvalCase[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (e) {
        throw new CasesFileError(`${file}:${i + 1}: not valid JSON: ${(e as Error).message}`);
      }
      const parsed = caseSchema.safeParse(raw);
      if (!parsed.success) {
        throw new CasesFileError(`${file}:${i + 1}: expected {"text": string, "expect": string|null}: ${parsed.error.issues[0]?.message}`);
      }
      cases.push(parsed.data);
    });
  return cases;
}
