/** Routes replies written later (by staff, or by a slow answer) to the channel each conversation came from. */
import type { DeliveryResult, ReplySender } from './delivery.ts';
import type { Outcome, Reply } from './message.ts';
import type { Store } from './ports.ts';

export class OutboundRouter {
  private readonly senders = new Map<string, ReplySender>();

  constructor(private readonly store: Store) {}

  register(sender: ReplySender): void {
    this.senders.set(sender.name, sender);
  }

  unregister(name: string): void {
    this.senders.delete(name);
  }

  /** The channels that can currently send. */
  get channels(): string[] {
    return [...this.senders.keys()];
  }

  /** Stores the replies in the transcript, then sends them; the result says whether the citizen got them. */
  async deliver(conversationId: string, replies: readonly Reply[], outcome: Outcome = 'staff'): Promise<DeliveryResult> {
    const conversation = this.store.conversations.get(conversationId);
    if (!conversation) return { status: 'undeliverable', reason: 'no_route', detail: `unknown conversation ${conversationId}` };
    this.store.messages.saveOutbound(conversationId, conversation.channel, outcome, replies, new Date());
    const sender = this.senders.get(conversation.channel);
    if (!sender) return { status: 'undeliverable', reason: 'no_route', detail: `channel ${conversation.channel} is not running` };
    try {
      return await sender.send(conversationId, replies);
    } catch (err) {
      return { status: 'undeliverable', reason: 'failed', detail: (err as Error).message };
    }
  }
}
