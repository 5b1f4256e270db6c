/** Request validation shared by the staff and demand routes: a zod schema, or a 400 naming the field. */
import type { Response } from 'express';
import { z } from 'zod';

/** A trimmed, non-empty string of at most `max` characters. */
export const nonEmptyText = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** The parsed value, or undefined after answering 400 with the first problem ("field: message"). */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, res: Response): z.infer<T> | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  res.status(400).json({ error: 'bad_request', message: `${issue?.path.join('.') || 'body'}: ${issue?.message}` });
  return undefined;
}
