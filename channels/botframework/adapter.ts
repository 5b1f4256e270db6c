/** The Bot Framework channel: a CloudAdapter at POST /api/messages and proactive sends for later replies. */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConversationReference, type TurnContext } from 'botbuilder';
import type { Request, Response, Router } from 'express';
import type { DeliveryResult } from '../../src/core/delivery.ts';
import type { Reply } from '../../src/core/message.ts';
import type { ChannelAdapter, ChannelCapabilities, ChannelDeps } from '../../src/server/channel-adapter.ts';
import type { BotFrameworkConfig } from './config.ts';
import { CHANNEL, parseActivity } from './inbound.ts';
import { isLoopbackAddress } from './loopback.ts';
import { MAX_TEXT_LENGTH, renderReplies } from './render.ts';
import { createTurnLogic } from './turn.ts';
import { undeliverable } from './undeliverable.ts';

/** Where Azure Bot Service (and the Emulator) posts activities: the bot's "messaging endpoint". */
export const MESSAGES_PATH = '/api/messages';

export class BotFrameworkAdapter implements ChannelAdapter {
  readonly name = CHANNEL;
  readonly capabilities: ChannelCapabilities = { buttons: true, richLinks: true, maxTextLength: MAX_TEXT_LENGTH };
  private readonly auth: ConfigurationBotFrameworkAuthentication;
  private readonly cloud: CloudAdapter;
  /** Empty in emulator mode: botbuilder then skips authentication both ways. */
  private readonly appId: string;
  private readonly logic: (context: TurnContext) => Promise<void>;

  constructor(
    private readonly config: BotFrameworkConfig,
    private readonly deps: ChannelDeps,
  ) {
    this.appId = config.mode === 'azure' ? config.appId : '';
    this.auth = new ConfigurationBotFrameworkAuthentication(
      config.mode === 'azure'
        ? {
            MicrosoftAppId: config.appId,
            MicrosoftAppPassword: config.appPassword ?? '',
            MicrosoftAppTenantId: config.tenantId ?? '',
            MicrosoftAppType: config.appType,
          }
        : { MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant' },
    );
    this.cloud = new CloudAdapter(this.auth);
    this.logic = createTurnLogic({ service: deps.service, logger: deps.logger, limits: deps.limits });
    if (config.mode === 'emulator') {
      deps.logger.warn('Bot Framework Emulator mode: authentication is off; only requests from this machine are accepted');
    }
  }

  mountRoot(router: Router): void {
    router.post(MESSAGES_PATH, (req, res) => this.receive(req, res));
  }

  async send(conversationId: string, replies: readonly Reply[]): Promise<DeliveryResult> {
    const reference = (await this.deps.store.addresses.get(conversationId))?.address as Partial<ConversationReference> | undefined;
    if (!reference?.serviceUrl || !reference.conversation?.id) {
      return { status: 'undeliverable', reason: 'no_route', detail: `no Bot Framework conversation reference for ${conversationId}` };
    }
    const activities = renderReplies(replies);
    if (activities.length === 0) return { status: 'sent' };
    try {
      await this.cloud.continueConversationAsync(this.appId, reference, async (context) => {
        await context.sendActivities(activities);
      });
      return { status: 'sent' };
    } catch (err) {
      return undeliverable(err);
    }
  }

  private async receive(req: Request, res: Response): Promise<void> {
    if (this.config.mode === 'emulator' && !isLoopbackAddress(req.socket.remoteAddress)) {
      res.status(403).json({ error: 'forbidden', message: 'Bot Framework Emulator mode accepts requests from this machine only' });
      return;
    }
    const parsed = parseActivity(req.body);
    if ('error' in parsed) {
      res.status(400).json({ error: 'bad_request', message: parsed.error });
      return;
    }
    let authenticated;
    try {
      authenticated = await this.auth.authenticateRequest(parsed.activity, req.headers.authorization ?? '');
    } catch (err) {
      const code = (err as { statusCode?: unknown }).statusCode;
      const status = typeof code === 'number' && code >= 400 && code < 500 ? code : 500;
      if (status === 500) {
        this.deps.logger.error({ err }, 'Bot Framework authentication failed');
        res.status(500).json({ error: 'internal', message: 'authentication failed' });
      } else {
        res.status(status).json({ error: status === 401 ? 'unauthorized' : 'bad_request', message: (err as Error).message });
      }
      return;
    }
    try {
      await this.cloud.processActivityDirect(authenticated, parsed.activity, this.logic);
      res.status(200).end();
    } catch (err) {
      this.deps.logger.error({ err }, 'Bot Framework turn failed');
      res.status(500).json({ error: 'internal', message: 'internal error' });
    }
  }
}
