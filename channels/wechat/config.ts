/** The WeChat Official Account channel's environment variables. */
import { z } from 'zod';
import { checkProductionSecrets } from '../../src/config.ts';

const aesKey = z
  .string()
  .regex(/^[A-Za-z0-9+/]{43}$/, 'must be the 43-character EncodingAESKey from the Official Account console');

export const wechatEnvSchema = z.object({
  /** The Token set in the console's server configuration; turns the channel on. */
  WECHAT_TOKEN: z.string().regex(/^[A-Za-z0-9]{3,32}$/, 'must be 3 to 32 letters or digits, as the console requires'),
  WECHAT_APP_ID: z.string().regex(/^wx[0-9a-zA-Z]{8,32}$/, 'must be the AppID (starts with "wx")'),
  WECHAT_APP_SECRET: z.string().min(8, 'must be the AppSecret from the console'),
  /** Safe mode (安全模式) when set: messages arrive and replies leave AES-encrypted. */
  WECHAT_ENCODING_AES_KEY: aesKey.optional(),
  /** The key before the last rotation; messages still encrypted with it are accepted. */
  WECHAT_ENCODING_AES_KEY_PREVIOUS: aesKey.optional(),
  WECHAT_API_BASE: z.url({ protocol: /^https?$/ }).default('https://api.weixin.qq.com'),
  /** How long to wait for an answer before replying "success" and sending it through the customer-service API. */
  WECHAT_REPLY_BUDGET_MS: z.coerce.number().int().min(0).max(4800).default(4500),
  /** Replaces the default welcome shown when someone follows the account. */
  WECHAT_WELCOME_TEXT: z.string().min(1).max(600).optional(),
  /** Callbacks whose timestamp is further than this from the server's clock are refused as replays (0: no check). */
  WECHAT_MAX_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  NODE_ENV: z.string().optional(),
}).refine((c) => !c.WECHAT_ENCODING_AES_KEY_PREVIOUS || c.WECHAT_ENCODING_AES_KEY, {
  path: ['WECHAT_ENCODING_AES_KEY_PREVIOUS'],
  message: 'needs WECHAT_ENCODING_AES_KEY (the current key) as well',
}).superRefine((c, ctx) =>
  checkProductionSecrets(c, ctx, { WECHAT_TOKEN: 16, WECHAT_APP_SECRET: 16, ...(c.WECHAT_ENCODING_AES_KEY ? { WECHAT_ENCODING_AES_KEY: 43 } : {}) }),
);

export type WeChatConfig = z.infer<typeof wechatEnvSchema>;
