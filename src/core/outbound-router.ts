/**
 * Routes replies written later (by staff, or by a slow answer) to the channel each conversation came
 * from. Each delivery is written to the transcript and the outbox first, so a crash between writing and
 * sending loses nothing: `flushPending` sends what a previous run left unsent.
 */
import type { DeliveryResult, ReplySender } from './delivery.ts';
import type { Outcome, Reply } from './message.ts';
import type { OutboxItem } from './ports.ts';
import type { CoreStore } from './ports.ts';

export class OutboundRouter {
  private readonly senders = new Map<string, ReplySender>();

  constructor(private readonly store: CoreStore) {}

  register(sender: ReplySender): void {
    this.senders.set(sender.name, sender);
  }

  /** How long after the citizen's last message the channel still takes the bot's messages (hours); undefined: no limit. */
  replyWindowHours(channel: string): number | undefined {
    return this.senders.get(channel)?.replyWindowHours;
  }

  /** The channels that can currently send. */
  get channels(): string[] {
    return [...this.senders.keys()];
  }

  /** Stores the replies in the transcript and the outbox, then sends them; the result says whether the citizen got them. */
  async deliver(conversationId: string, replies: readonly Reply[], outcome: Outcome = 'staff'): Promise<DeliveryResult> {
    const conversation = await this.store.conversations.get(conversationId);
    if (!conversation) return { status: 'undeliverable', reason: 'no_route', detail: `unknown conversation ${conversationId}` };
    const id = await this.store.write(async () => {
      await this.store.messages.saveOutbound(conversationId, conversation.channel, outcome, replies, new Date());
      return this.store.outbox.add(conversationId, conversation.channel, replies, new Date());
    });
    return this.send(id, conversationId, conversation.channel, replies);
  }

  /**
   * Sends whatever an earlier run stored but never sent (call once the channels are running). Pass the items
   * read before the server began taking messages, so that replies being sent by this run are not sent twice.
   */
  async flushPending(pending?: readonly OutboxItem[]): Promise<number> {
    const items = pending ?? (await this.store.outbox.pending());
    let sent = 0;
    for (const item of items) {
      const result = await this.send(item.id, item.conversationId, item.channel, item.replies);
      if (result.status === 'sent') sent++;
    }
    return sent;
  }

  /** Sends through the conversation's channel without storing anything: for callers that stored the replies and their outbox entry. */
  async sendNow(conversationId: string, channel: string, replies: readonly Reply[]): Promise<DeliveryResult> {
    const sender = this.senders.get(channel);
    if (!sender) return { status: 'undeliverable', reason: 'no_route', detail: `channel ${channel} is not running` };
    try {
      return await sender.send(conversationId, replies);
    } catch (err) {
      return { status: 'undeliverable', reason: 'failed', detail: (err as Error).message };
    }
  }

  private async send(id: number, conversationId: string, channel: string, replies: readonly Reply[]): Promise<DeliveryResult> {
    const result = await this.sendNow(conversationId, channel, replies);
    await this.store.write(() => this.store.outbox.mark(id, result.status === 'sent' ? 'sent' : 'undeliverable', result.status === 'sent' ? null : result.reason));
    return result;
  }
}
