/** The Wechaty channel's environment variables. */
import { z } from 'zod';
import { checkProductionSecrets } from '../../src/config.ts';

/** An npm package name, optionally scoped (`wechaty-puppet-wechat4u`, `@juzi/wechaty-puppet-service`). */
const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/;

export const wechatyConfigSchema = z
  .object({
    /** The puppet package that drives the account; setting it turns the channel on. */
    WECHATY_PUPPET: z.string().regex(PACKAGE_NAME, 'must be a puppet package name such as wechaty-puppet-wechat4u').optional(),
    /** The puppet's token (wechaty-puppet-service and paid puppets need one). */
    WECHATY_PUPPET_TOKEN: z.string().optional(),
    /**
     * Name of the memory card: the login session is kept in `<name>.memory-card.json` in the working folder,
     * so a restart does not need a new QR scan. Without it the session lives in memory only.
     */
    WECHATY_NAME: z.string().regex(/^[\w.-]+$/, 'letters, digits, ".", "_" and "-" only (it names a file)').optional(),
    NODE_ENV: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.WECHATY_PUPPET_TOKEN) checkProductionSecrets(env, ctx, { WECHATY_PUPPET_TOKEN: 8 });
  });

export type WechatyConfig = z.infer<typeof wechatyConfigSchema>;
