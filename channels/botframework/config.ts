/** The Bot Framework channel's environment variables, validated at start. */
import { z } from 'zod';
import { checkProductionSecrets, parseEnv } from '../../src/config.ts';

/** How the bot's Azure identity authenticates (the Azure Bot resource's "App type"). */
export type AppType = 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';

const schema = z
  .object({
    MICROSOFT_APP_ID: z.string().trim().min(1).optional(),
    MICROSOFT_APP_PASSWORD: z.string().min(1).optional(),
    MICROSOFT_APP_TENANT_ID: z.string().trim().min(1).optional(),
    MICROSOFT_APP_TYPE: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
    BOTFRAMEWORK_EMULATOR: z.enum(['0', '1']).default('0'),
    NODE_ENV: z.string().default('development'),
  })
  .superRefine((env, ctx) => {
    const issue = (variable: string, message: string): void => ctx.addIssue({ code: 'custom', path: [variable], message });
    if (!env.MICROSOFT_APP_ID) {
      if (env.MICROSOFT_APP_PASSWORD) issue('MICROSOFT_APP_PASSWORD', 'is set but MICROSOFT_APP_ID is not; set both');
      if (env.BOTFRAMEWORK_EMULATOR === '1' && env.NODE_ENV === 'production') {
        issue(
          'BOTFRAMEWORK_EMULATOR',
          'Emulator mode turns Bot Framework authentication off and must not run with NODE_ENV=production; set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD instead',
        );
      }
      return;
    }
    if (env.MICROSOFT_APP_TYPE === 'UserAssignedMSI') {
      if (env.MICROSOFT_APP_PASSWORD) issue('MICROSOFT_APP_PASSWORD', 'must be empty when MICROSOFT_APP_TYPE=UserAssignedMSI (the managed identity signs in)');
    } else if (!env.MICROSOFT_APP_PASSWORD) {
      issue('MICROSOFT_APP_PASSWORD', `is required with MICROSOFT_APP_ID when MICROSOFT_APP_TYPE=${env.MICROSOFT_APP_TYPE}`);
    } else {
      checkProductionSecrets(env, ctx, { MICROSOFT_APP_PASSWORD: 16 });
    }
    if (env.MICROSOFT_APP_TYPE !== 'MultiTenant' && !env.MICROSOFT_APP_TENANT_ID) {
      issue('MICROSOFT_APP_TENANT_ID', `is required when MICROSOFT_APP_TYPE=${env.MICROSOFT_APP_TYPE}`);
    }
  });

export type BotFrameworkConfig =
  | { mode: 'azure'; appId: string; appPassword?: string; tenantId?: string; appType: AppType }
  /** Local work with the Bot Framework Emulator: no authentication, loopback requests only. */
  | { mode: 'emulator' };

/** The channel's settings, or null when neither MICROSOFT_APP_ID nor BOTFRAMEWORK_EMULATOR=1 turns it on. */
export function loadBotFrameworkConfig(env: NodeJS.ProcessEnv): BotFrameworkConfig | null {
  const parsed = parseEnv(schema, env);
  if (parsed.MICROSOFT_APP_ID) {
    return {
      mode: 'azure',
      appId: parsed.MICROSOFT_APP_ID,
      appPassword: parsed.MICROSOFT_APP_PASSWORD,
      tenantId: parsed.MICROSOFT_APP_TENANT_ID,
      appType: parsed.MICROSOFT_APP_TYPE,
    };
  }
  return parsed.BOTFRAMEWORK_EMULATOR === '1' ? { mode: 'emulator' } : null;
}
