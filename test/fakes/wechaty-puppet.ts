/**
 * A WeChat world for tests, on wechaty-puppet-mock: the bot's account, citizens and group chats, each
 * message delivered through the puppet exactly as a real puppet would, and a record of what the bot said.
 */
import type { EventEmitter } from 'node:events';
import { types, type payloads } from 'wechaty';
import { mock, PuppetMock } from 'wechaty-puppet-mock';

async function until(probe: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface SayOptions {
  /** The puppet's message id; sending an id again is a redelivery of the same message. */
  id?: string;
  /** Says it in this group chat (see `room`) instead of a direct chat with the bot. */
  room?: string;
  /** In a room: @mentions the bot's account. */
  mentionBot?: boolean;
}

export class FakeWeChat {
  readonly puppet = new PuppetMock();
  /** The WeChat account the bot runs on. */
  readonly account: mock.ContactMock;
  private readonly citizens = new Map<string, mock.ContactMock>();
  private readonly rooms = new Map<string, mock.RoomMock>();
  private readonly botSaid = new Map<string, string[]>();
  private nextId = 1;

  constructor(readonly accountName = '政务助手') {
    this.account = this.mocker.createContact({ id: 'bot-account', name: accountName });
  }

  get mocker(): mock.Mocker {
    return this.puppet.mocker;
  }

  /** The account's owner scans the QR code; resolves once the puppet is logged in. */
  async login(): Promise<void> {
    this.mocker.login(this.account);
    await until(() => this.puppet.isLoggedIn, 'login');
  }

  async logout(): Promise<void> {
    await this.puppet.logout();
    await until(() => !this.puppet.isLoggedIn, 'logout');
  }

  /** A citizen by id (the WeChat contact id), created on first use. */
  citizen(id: string): mock.ContactMock {
    let contact = this.citizens.get(id);
    if (!contact) {
      contact = this.mocker.createContact({ id, name: `居民${id}` });
      // The mock's typings expect a newer typed-emitter than the one installed, so its `on` is not typed.
      (contact as unknown as EventEmitter).on('message', (m: mock.MessageMock) => {
        if (!m.room() && m.talker().id === this.account.id) this.record(id, m.text() ?? '');
      });
      this.citizens.set(id, contact);
    }
    return contact;
  }

  /** A group chat with the bot's account and these citizens; its id is `<name>@chatroom`. */
  room(name: string, citizenIds: readonly string[] = []): mock.RoomMock {
    const id = `${name}@chatroom`;
    let room = this.rooms.get(id);
    if (!room) {
      const members = citizenIds.map((c) => this.citizen(c).id);
      room = this.mocker.createRoom({ id, topic: name, memberIdList: [this.account.id, ...members] });
      (room as unknown as EventEmitter).on('message', (m: mock.MessageMock) => {
        if (m.talker().id === this.account.id) this.record(id, m.text() ?? '');
      });
      this.rooms.set(id, room);
    }
    return room;
  }

  /** A citizen sends a text message to the bot (or into a room). */
  say(citizenId: string, text: string, options: SayOptions = {}): string {
    const talker = this.citizen(citizenId);
    const base = { id: options.id ?? `msg-${this.nextId++}`, talkerId: talker.id, timestamp: Date.now(), type: types.Message.Text };
    if (options.room) {
      const room = this.room(options.room, [citizenId]);
      const mention = options.mentionBot ? `@${this.accountName}\u2005` : '';
      return this.deliver({ ...base, roomId: room.id, text: mention + text, mentionIdList: options.mentionBot ? [this.account.id] : [] });
    }
    return this.deliver({ ...base, listenerId: this.account.id, text });
  }

  /** The account's owner writes to a citizen from their own phone (the puppet reports it as a message too). */
  ownerSays(citizenId: string, text: string): string {
    const listener = this.citizen(citizenId);
    return this.deliver({ id: `msg-${this.nextId++}`, talkerId: this.account.id, listenerId: listener.id, timestamp: Date.now(), type: types.Message.Text, text });
  }

  /** A citizen sends a picture in a direct chat, or into a room. */
  sendImage(citizenId: string, options: { room?: string } = {}): string {
    const talker = this.citizen(citizenId);
    const base = { id: `msg-${this.nextId++}`, talkerId: talker.id, timestamp: Date.now(), type: types.Message.Image };
    if (options.room) return this.deliver({ ...base, roomId: this.room(options.room, [citizenId]).id, mentionIdList: [] });
    return this.deliver({ ...base, listenerId: this.account.id });
  }

  /**
   * Messages a broken or hostile puppet could deliver: no talker, an empty text, and an id with no
   * message behind it. Returns the ids.
   */
  sendBadMessages(): string[] {
    const noTalker = `bad-${this.nextId++}`;
    this.mocker.cacheMessagePayload.set(noTalker, { id: noTalker, listenerId: this.account.id, text: '居住证怎么办理', timestamp: Date.now(), type: types.Message.Text } as payloads.Message);
    this.puppet.emit('message', { messageId: noTalker });
    const empty = this.say('bad-payload-citizen', '   ');
    const missing = `missing-${this.nextId++}`;
    this.puppet.emit('message', { messageId: missing });
    return [noTalker, empty, missing];
  }

  /** Texts the bot has said to a citizen in a direct chat, or in a room (by room id), oldest first. */
  said(citizenOrRoomId: string): string[] {
    return [...(this.botSaid.get(citizenOrRoomId) ?? [])];
  }

  /** Waits until the bot has said at least `count` texts there. */
  async saidAtLeast(citizenOrRoomId: string, count: number): Promise<string[]> {
    await until(() => this.said(citizenOrRoomId).length >= count, `${count} messages to ${citizenOrRoomId}`);
    return this.said(citizenOrRoomId);
  }

  private deliver(payload: payloads.Message): string {
    if (!this.mocker.cacheMessagePayload.has(payload.id)) this.mocker.MessageMock.create(payload);
    this.puppet.emit('message', { messageId: payload.id });
    return payload.id;
  }

  private record(key: string, text: string): void {
    const list = this.botSaid.get(key) ?? [];
    list.push(text);
    this.botSaid.set(key, list);
  }
}
