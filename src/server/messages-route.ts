/** `POST /api/v1/messages` (the citizen side of the HTTP API) and the conversation history. */
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { z } from 'zod';
import type { ReplySender } from '../core/delivery.ts';
import type { MessageService } from '../core/message-service.ts';
import type { Store } from '../store/store.ts';
import { isBlank } from '../core/plain-text.ts';
import type { CitizenRateLimits } from '../ops/rate-limits.ts';

/** Conversations started on the HTTP API; later replies (staff) reach them through the history endpoint. */
export const API_CHANNEL = 'api';

/** The "send later" of the HTTP API: the replies are already in the history the client reads, so nothing else to do. */
export const apiReplySender: ReplySender = {
  name: API_CHANNEL,
  send: async () => ({ status: 'sent' }),
};

const conversationId = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be 8-128 letters, digits, "-" or "_"');

export function messagesRouter(service: MessageService, store: Store, maxLength: number, limits?: CitizenRateLimits): Router {
  const body = z
    .object({
      conversationId: conversationId.optional(),
      text: z.string({ error: 'text is required and must be a string' }).max(maxLength, `text must be at most ${maxLength} characters`),
      lang: z.enum(['zh', 'en']).optional(),
      messageId: z.string().min(1).max(128).optional(),
    })
    .strict();
  const router = Router();

  router.post('/api/v1/messages', ...(limits ? [limits.perAddress] : []), async (req: Request, res: Response) => {
    const parsed = body.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      res.status(400).json({ error: 'bad_request', message: `${issue?.path.join('.') || 'body'}: ${issue?.message}` });
      return;
    }
    if (isBlank(parsed.data.text)) {
      res.status(400).json({ error: 'bad_request', message: 'text: must not be empty' });
      return;
    }
    const id = parsed.data.conversationId ?? randomUUID();
    if (limits && (await limits.conversation(id)) !== 'ok') {
      res.status(429).json({ error: 'rate_limited', message: limits.conversationMessage() });
      return;
    }
    const result = await service.handle({
      channel: API_CHANNEL,
      conversationId: id,
      senderId: id,
      text: parsed.data.text,
      lang: parsed.data.lang,
      time: new Date(),
      platformMessageId: parsed.data.messageId,
      clientAddress: ipKeyGenerator(req.ip ?? 'unknown'),
    });
    res.json({
      conversationId: id,
      outcome: result.outcome,
      lang: result.lang,
      replies: result.replies,
      duplicate: result.duplicate || undefined,
    });
  });

  router.get('/api/v1/conversations/:id/messages', async (req: Request, res: Response) => {
    const id = conversationId.safeParse(req.params.id);
    if (!id.success) {
      res.status(400).json({ error: 'bad_request', message: `conversation id ${id.error.issues[0]?.message}` });
      return;
    }
    const messages = (await store.messages.listByConversation(id.data)).map((m) => ({
      direction: m.direction,
      text: m.text,
      outcome: m.outcome,
      choices: m.reply?.choices,
      links: m.reply?.links,
      // The display name of the staff member who wrote a reply (absent for the bot's own).
      ...(m.reply?.staffName ? { staffName: m.reply.staffName } : {}),
      time: m.createdAt.toISOString(),
    }));
    res.json({ conversationId: id.data, messages });
  });
  return router;
}
