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

/** Messages a minute per address and per conversation are the core's RATE_LIMIT_* settings (ChannelDeps.limits). */
export const webConfigSchema = z
  .object({
    WEB_WIDGET_ENABLED: flag.default(true),
    WEB_ALLOWED_ORIGINS: origins.default(['*']),
    /** Open widget sockets from one client address; further upgrades get 429 (0: no limit). */
    WEB_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(0).max(100_000).default(20),
    WEB_DEMO_PORTAL: flag.default(true),
    MAX_MESSAGE_LENGTH: z.coerce.number().int().min(1).max(100_000).default(2000),
    NODE_ENV: z.string().optional(),
  })
  .refine((c) => !c.WEB_WIDGET_ENABLED || c.NODE_ENV !== 'production' || !c.WEB_ALLOWED_ORIGINS.includes('*'), {
    path: ['WEB_ALLOWED_ORIGINS'],
    message: 'must list the portals that embed the widget when NODE_ENV=production, not * (the server itself is always allowed)',
  });

export type WebConfig = z.infer<typeof webConfigSchema>;
