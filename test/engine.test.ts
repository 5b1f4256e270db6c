import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, type EngineTurn } from '../src/core/engine.ts';
import { initialState, type ConversationState } from '../src/core/conversation-state.ts';
import { loadIntents } from '../src/knowledge/intents-loader.ts';
import { loadKnowledgeBase } from '../src/knowledge/knowledge-loader.ts';
import { loadOrTrainModel, type BotModel } from '../src/nlu/bot-model.ts';
import type { ConversationalIntent } from '../src/knowledge/types.ts';

let engine: Engine;
let model: BotModel;
let intents: ConversationalIntent[];

beforeAll(async () => {
  const kb = loadKnowledgeBase('knowledge');
  intents = loadIntents('intents');
  model = await loadOrTrainModel(kb, intents);
  engine = new Engine(model, intents);
});

/** A conversation with the engine that carries its state from turn to turn. */
function conversation() {
  let state: ConversationState = initialState();
  return async (text: string): Promise<EngineTurn> => {
    const turn = await engine.respond({ channel: 'test', conversationId: 'c1', senderId: 'u1', text, time: new Date() }, state);
    state = turn.state;
    return turn;
  };
}

describe('engine', () => {
  it('answers a knowledge-base question in Chinese with the entry', async () => {
    const turn = await conversation()('居住证怎么办理?');
    expect(turn.result.outcome).toBe('answered');
    expect(turn.result.replies[0]?.entryId).toBe('household-residence-permit-application');
    expect(turn.result.replies[0]?.text).toContain('居住证');
    expect(turn.demand).toBeUndefined();
  });

  it('understands Traditional characters and answers in English when asked in English', async () => {
    expect((await conversation()('居住證怎麼辦理')).result.replies[0]?.entryId).toBe('household-residence-permit-application');
    const en = await conversation()('how do I renew my passport');
    expect(en.result.lang).toBe('en');
    expect(en.result.replies[0]?.entryId).toBe('exit-entry-passport-renewal');
    expect(en.result.replies[0]?.text).toMatch(/passport/i);
  });

  it('keeps a follow-up in context: materials after an answer about 居住证', async () => {
    const say = conversation();
    await say('居住证怎么办理?');
    const turn = await say('需要什么材料?');
    expect(turn.result.outcome).toBe('answered');
    expect(turn.result.replies[0]?.entryId).toBe('household-residence-permit-application');
    expect(turn.result.replies[0]?.text).toContain('所需材料');
  });

  it('reads "那补办呢?" after an answer about 身份证 as a question about replacing the ID card', async () => {
    const say = conversation();
    await say('身份证到期了怎么换');
    const turn = await say('那补办呢?');
    expect(turn.result.outcome).toBe('answered');
    expect(turn.result.replies[0]?.entryId).toBe('household-idcard-replacement-lost');
  });

  it('does not mistake an unrelated question for a follow-up of the last answer', async () => {
    const say = conversation();
    await say('驾驶证丢了怎么补');
    const turn = await say('量子计算机原理');
    expect(turn.result.outcome).toBe('unanswered');
  });

  it('is honest about a question it cannot answer and logs it as a demand signal', async () => {
    const turn = await conversation()('小区里的流浪猫太多了晚上一直叫，能不能派人来管管');
    expect(turn.result.outcome).toBe('unanswered');
    expect(turn.result.replies[0]?.choices?.[0]?.value).toBe('转人工');
    expect(turn.demand?.reason).toBe('no_match');
    expect(turn.demand?.candidates.length).toBeGreaterThan(0);
  });

  it('escalates when the citizen asks for a person, logging the question they could not get answered', async () => {
    const say = conversation();
    await say('小区里的流浪猫太多了晚上一直叫，能不能派人来管管');
    const turn = await say('转人工');
    expect(turn.result.outcome).toBe('escalated');
    expect(turn.demand).toMatchObject({ reason: 'asked_for_human', text: '小区里的流浪猫太多了晚上一直叫，能不能派人来管管' });
    expect((await conversation()('I want to talk to a person')).result.outcome).toBe('escalated');
  });

  it('asks back between close entries, and a reply of "2" picks the second', async () => {
    const say = conversation();
    const first = await say('身份证');
    if (first.result.outcome !== 'clarify') {
      // The policy may be sure enough to answer; the pick itself is then tested through the state.
      expect(first.result.outcome).toBe('answered');
      return;
    }
    const choices = first.result.replies[0]!.choices!;
    expect(choices.length).toBeGreaterThanOrEqual(2);
    expect(first.result.replies[0]!.text).toContain('1.');
    const second = await say('2');
    expect(second.result.outcome).toBe('answered');
    expect(second.result.replies[0]?.entryId).toBe(first.state.pendingChoices?.[1]);
  });

  it('resolves a pick from a pending clarification', async () => {
    const state: ConversationState = { misses: 0, pendingChoices: ['household-idcard-renewal', 'household-idcard-replacement-lost'] };
    const turn = await engine.respond({ channel: 'test', conversationId: 'c2', senderId: 'u', text: '第二个', time: new Date() }, state);
    expect(turn.result.replies[0]?.entryId).toBe('household-idcard-replacement-lost');
  });

  it('answers greetings and thanks as small talk without a demand signal', async () => {
    const hello = await conversation()('你好');
    expect(hello.result.outcome).toBe('smalltalk');
    expect(hello.demand).toBeUndefined();
    expect((await conversation()('thank you')).result.intent).toBe('thanks');
  });

  it('logs "not helpful" feedback against the entry that was answered', async () => {
    const say = conversation();
    await say('居住证怎么办理?');
    const turn = await say('答非所问');
    expect(turn.demand?.reason).toBe('not_helpful');
    expect(turn.demand?.candidates[0]?.entryId).toBe('household-residence-permit-application');
  });

  it('answers a repeated question from memory exactly as it would compute it, follow-up context included', async () => {
    const analysisStats = { hits: 0, misses: 0 };
    const remembering = new Engine(model, intents, { analysisStats });
    const computing = new Engine(model, intents, { analysisCacheSize: 0 });
    // Two citizens ask the same things; the second one's "需要什么材料" leans on a different earlier answer.
    const script = [
      ['c1', '身份证丢了怎么补办'],
      ['c1', '需要什么材料'],
      ['c2', '居住证怎么办理'],
      ['c2', '需要什么材料'],
      ['c2', '那补办呢'],
      ['c3', '那补办呢'],
      ['c3', '身份证丢了怎么补办'],
      ['c3', '你好'],
      ['c4', '你好'],
    ] as const;
    const states = new Map<string, [ConversationState, ConversationState]>();
    for (const [conversationId, text] of script) {
      const [mine, theirs] = states.get(conversationId) ?? [initialState(), initialState()];
      const message = { channel: 'test', conversationId, senderId: conversationId, text, time: new Date() };
      const a = await remembering.respond(message, mine);
      const b = await computing.respond(message, theirs);
      expect(a).toEqual(b);
      states.set(conversationId, [a.state, b.state]);
    }
    expect(analysisStats.hits).toBeGreaterThanOrEqual(4);
    expect(analysisStats.hits + analysisStats.misses).toBeGreaterThanOrEqual(script.length);
  });

  it('keeps no text with personal data in its memory: the same message with a phone number is analysed each time', async () => {
    const analysisStats = { hits: 0, misses: 0 };
    const remembering = new Engine(model, intents, { analysisStats });
    const say = (text: string) => remembering.respond({ channel: 'test', conversationId: 'p1', senderId: 'p1', text, time: new Date() }, initialState());
    const withPhone = '我的电话13812345678，社保卡丢了怎么补办';
    const first = await say(withPhone);
    const second = await say(withPhone);
    expect(second.result).toEqual(first.result);
    expect(analysisStats.hits).toBe(0);
    await say('社保卡丢了怎么补办');
    await say('社保卡丢了怎么补办');
    expect(analysisStats.hits).toBe(1);
  });
});
