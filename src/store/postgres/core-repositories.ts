/** PostgreSQL implementations of the core's repositories: conversations, messages, demand signals, channel addresses. */
import type { IncomingMessage, Outcome, Reply } from '../../core/message.ts';
import type {
  AwaitingMessage,
  ChannelAddress,
  ChannelAddressRepository,
  ConversationRecord,
  ConversationRepository,
  DemandRecord,
  DemandRepository,
  MessageRepository,
  StoredMessage,
} from '../../core/ports.ts';
import { toAwaitingMessage, toChannelAddress, toConversation, toDemandRecord, toStoredMessage } from '../rows.ts';
import type { PgDatabase } from './database.ts';
import { Params } from './sql.ts';

export class PgConversations implements ConversationRepository {
  constructor(private readonly db: PgDatabase) {}

  async get(id: string): Promise<ConversationRecord | undefined> {
    const row = await this.db.row('SELECT * FROM conversations WHERE id = $1', [id]);
    return row ? toConversation(row) : undefined;
  }

  async save(record: ConversationRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO conversations (id, channel, sender_id, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      [record.id, record.channel, record.senderId, JSON.stringify(record.state), record.createdAt.getTime(), record.updatedAt.getTime()],
    );
  }
}

export class PgMessages implements MessageRepository {
  constructor(private readonly db: PgDatabase) {}

  async saveInbound(m: IncomingMessage, sealedText?: string): Promise<{ id: number; duplicate: boolean }> {
    const inserted = await this.db.row<{ id: number }>(
      `INSERT INTO messages (conversation_id, channel, direction, sender_id, text, sealed_text, platform_message_id, created_at)
       VALUES ($1, $2, 'in', $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
      [m.conversationId, m.channel, m.senderId, m.text, sealedText ?? null, m.platformMessageId ?? null, m.time.getTime()],
    );
    if (inserted) return { id: inserted.id, duplicate: false };
    // The channel delivered this platform id before: the id of the message stored then.
    const first = await this.db.row<{ id: number }>('SELECT id FROM messages WHERE channel = $1 AND platform_message_id = $2', [m.channel, m.platformMessageId]);
    return { id: first?.id ?? 0, duplicate: true };
  }

  async seen(channel: string, platformMessageId: string): Promise<boolean> {
    return (await this.db.row('SELECT 1 FROM messages WHERE channel = $1 AND platform_message_id = $2', [channel, platformMessageId])) !== undefined;
  }

  async saveOutbound(conversationId: string, channel: string, outcome: Outcome, replies: readonly Reply[], time: Date): Promise<void> {
    if (replies.length === 0) return;
    // One statement: the replies are stored together, in order (ids ascending), or not at all.
    const params = new Params();
    const head = [params.add(conversationId), params.add(channel), params.add(outcome), params.add(time.getTime())];
    const rows = replies.map((reply) => `(${head[0]}, ${head[1]}, 'out', ${params.add(reply.text)}, ${head[2]}, ${params.add(JSON.stringify(reply))}, ${head[3]})`);
    await this.db.query(
      `INSERT INTO messages (conversation_id, channel, direction, text, outcome, reply, created_at) VALUES ${rows.join(', ')}`,
      params.values,
    );
  }

  async listByConversation(conversationId: string, limit = 200, afterId = 0): Promise<StoredMessage[]> {
    const rows = await this.db.rows(
      'SELECT * FROM (SELECT * FROM messages WHERE conversation_id = $1 AND id > $2 ORDER BY id DESC LIMIT $3) AS newest ORDER BY id',
      [conversationId, afterId, limit],
    );
    return rows.map(toStoredMessage);
  }

  async awaitAnswer(messageId: number, time: Date): Promise<void> {
    await this.db.query('INSERT INTO awaiting_answers (message_id, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [messageId, time.getTime()]);
  }

  async answered(messageId: number): Promise<void> {
    await this.db.query('DELETE FROM awaiting_answers WHERE message_id = $1', [messageId]);
  }

  async awaitingAnswers(): Promise<AwaitingMessage[]> {
    const rows = await this.db.rows('SELECT m.*, a.created_at AS acknowledged_at FROM awaiting_answers a JOIN messages m ON m.id = a.message_id ORDER BY m.id');
    return rows.map(toAwaitingMessage);
  }
}

export class PgDemand implements DemandRepository {
  constructor(private readonly db: PgDatabase) {}

  async record(s: Omit<DemandRecord, 'id'>): Promise<number> {
    const row = await this.db.row<{ id: number }>(
      `INSERT INTO demand_signals (conversation_id, channel, lang, text, reason, candidates, created_at, source_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [s.conversationId, s.channel, s.lang, s.text, s.reason, JSON.stringify(s.candidates), s.createdAt.getTime(), s.sourceKey ?? null],
    );
    return row!.id;
  }

  async list(options: { since?: Date; limit?: number } = {}): Promise<DemandRecord[]> {
    const rows = await this.db.rows('SELECT * FROM demand_signals WHERE created_at >= $1 ORDER BY id DESC LIMIT $2', [
      options.since?.getTime() ?? 0,
      options.limit ?? 1000,
    ]);
    return rows.map(toDemandRecord);
  }
}

export class PgAddresses implements ChannelAddressRepository {
  constructor(private readonly db: PgDatabase) {}

  async save(conversationId: string, channel: string, address: ChannelAddress): Promise<void> {
    await this.db.query(
      `INSERT INTO channel_addresses (conversation_id, channel, address, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (conversation_id) DO UPDATE SET address = excluded.address, updated_at = excluded.updated_at`,
      [conversationId, channel, JSON.stringify(address), Date.now()],
    );
  }

  async get(conversationId: string): Promise<{ channel: string; address: ChannelAddress } | undefined> {
    const row = await this.db.row('SELECT channel, address FROM channel_addresses WHERE conversation_id = $1', [conversationId]);
    return row ? toChannelAddress(row) : undefined;
  }
}
