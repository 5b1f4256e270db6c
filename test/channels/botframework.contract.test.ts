/** The shared channel contract for Bot Framework: real POSTs to /api/messages, replies to a fake connector (Emulator mode). */
import { botframeworkChannel } from '../../channels/botframework/index.ts';
import { startFakeConnector, type RecordedActivity } from '../fakes/botframework-connector.ts';
import { conversationOf, messageActivity, postActivity } from '../fakes/botframework-client.ts';
import { startTestServer } from '../support/test-server.ts';
import { describeChannelContract, type SeenMessage } from './contract.ts';

function actionsOf(recorded: RecordedActivity): { title: string; value: string }[] {
  const suggested = recorded.activity.suggestedActions as { actions?: { title: string; value: string }[] } | undefined;
  return suggested?.actions ?? [];
}

describeChannelContract('botframework', async () => {
  const connector = await startFakeConnector();
  const server = await startTestServer({ channels: [botframeworkChannel], env: { BOTFRAMEWORK_EMULATOR: '1' } });
  const say = async (user: string, text: string, id: string): Promise<void> => {
    const { status, text: body } = await postActivity(server.url, messageActivity(connector, user, text, id));
    if (status !== 200) throw new Error(`/api/messages answered ${status}: ${body}`);
  };
  return {
    server,
    conversationId: (user) => `botframework:${conversationOf(user)}`,
    say,
    pick: async (user, n, id) => {
      const withActions = connector.forConversation(conversationOf(user)).filter((a) => actionsOf(a).length > 0);
      const action = withActions.length > 0 ? actionsOf(withActions.at(-1)!)[n - 1] : undefined;
      if (!action) throw new Error(`no suggested action ${n} for ${user}`);
      await say(user, action.value, id);
    },
    seen: async (user): Promise<SeenMessage[]> =>
      connector.forConversation(conversationOf(user)).map((a) => ({
        text: typeof a.activity.text === 'string' ? a.activity.text : '',
        buttons: actionsOf(a).map((action) => action.title),
      })),
    sendBadPayload: async () => (await postActivity(server.url, { hello: 'not an activity' })).status,
    stop: async () => {
      await server.stop();
      await connector.stop();
    },
  };
});
