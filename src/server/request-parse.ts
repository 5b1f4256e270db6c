/** Request validation shared by the staff and demand routes: a zod schema, or a 400 naming the field. */
import type { RequestHandler, Response } from 'express';
import { z } from 'zod';
import { neutraliseControls } from '../core/control-characters.ts';

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

/**
 * Cleans every string of a JSON body as citizens' text is cleaned (control characters and bidi overrides
 * removed): staff input shown to citizens and colleagues cannot hide or disguise text either, and both
 * databases store it alike (PostgreSQL refuses NUL in text).
 */
export const cleanJsonStrings: RequestHandler = (req, _res, next) => {
  if (req.body !== undefined && req.body !== null && typeof req.body === 'object') req.body = cleaned(req.body);
  next();
};

function cleaned(value: unknown): unknown {
  if (typeof value === 'string') return neutraliseControls(value);
  if (Array.isArray(value)) return value.map(cleaned);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [neutraliseControls(k), cleaned(v)]));
  return value;
}
