import { webChannel } from '../../channels/web/index.ts';
import { conversationIdFor } from '../../channels/web/inbound.ts';
import { WidgetClient } from '../fakes/web-widget-client.ts';
import { startTestServer } from '../support/test-server.ts';
import { describeChannelContract, type ChannelDriver, type SeenMessage } from './contract.ts';

/** The widget's opaque id for a test citizen (16+ url-safe characters). */
const opaque = (user: string): string => `${user}-widget-test`;

describeChannelContract('web', async (): Promise<ChannelDriver> => {
  const server = await startTestServer({ channels: [webChannel] });
  const clients = new Map<string, WidgetClient>();
  const sent = new Set<string>();
  const client = async (user: string): Promise<WidgetClient> => {
    let c = clients.get(user);
    if (!c) clients.set(user, (c = await WidgetClient.connect(server.url, opaque(user))));
    return c;
  };
  const send = async (user: string, text: string, id: string): Promise<void> => {
    const c = await client(user);
    if (sent.has(id)) {
      // A resend after a dropped socket goes over the HTTP fallback with the same id, as the widget does.
      const res = await fetch(`${server.url}/channels/web/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ conversationId: opaque(user), id, text }),
      });
      if (!res.ok) throw new Error(`HTTP fallback answered ${res.status}`);
      return;
    }
    sent.add(id);
    c.send({ type: 'message', id, text });
  };
  return {
    server,
    conversationId: (user) => conversationIdFor(opaque(user)),
    say: (user, text, id) => send(user, text, id),
    async pick(user, n, id) {
      const withChoices = (await client(user)).shown.findLast((m) => (m.choices ?? []).length > 0);
      const choice = withChoices?.choices?.[n - 1];
      if (!choice) throw new Error(`no choice ${n} shown to ${user}`);
      await send(user, choice.value, id);
    },
    async seen(user): Promise<SeenMessage[]> {
      return (await client(user)).shown.map((m) => ({ text: m.text, buttons: (m.choices ?? []).map((c) => c.label) }));
    },
    async sendBadPayload() {
      const res = await fetch(`${server.url}/channels/web/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ conversationId: '../../etc/passwd', text: 42 }),
      });
      return res.status;
    },
    async stop() {
      await Promise.all([...clients.values()].map((c) => c.close()));
      await server.stop();
    },
  };
});
