/** The web widget's environment variables. */
import { z } from 'zod';

const flag = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }))
  .transform((v) => ['true', '1', 'yes'].includes(v));

/** `*`, or a comma-separated list of origins such as `https://www.example.gov.cn`. */
const origins = z
  .string()
  .transform((v) => v.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean))
  .refine((list) => list.length > 0, 'must be * or a comma-separated list of origins')
  .refine(
    (list) => list.every((o) => o === '*' || /^https?:\/\/[^/\s?#]+$/.test(o)),
    'each origin must look like https://portal.example.gov.cn (scheme and host, no path)',
  );

export const webConfigSchema = z.object({
  WEB_WIDGET_ENABLED: flag.default(true),
  WEB_ALLOWED_ORIGINS: origins.default(['*']),
  WEB_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  WEB_DEMO_PORTAL: flag.default(true),
  MAX_MESSAGE_LENGTH: z.coerce.number().int().min(1).max(100_000).default(2000),
});

export type WebConfig = z.infer<typeof webConfigSchema>;
