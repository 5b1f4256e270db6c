/**
 * The escalation lifecycle: open a case (with a case number and an expected reply time), route it to a
 * department, let staff claim, reply, transfer and resolve it, expire unanswered ones, and take the
 * conversation back with a 好差评 rating. While a case is assigned the bot is silent and relays.
 */
import { EventEmitter } from 'node:events';
import type { EngineTurn } from '../core/engine.ts';
import type { DeliveryResult } from '../core/delivery.ts';
import type { Candidate, EngineResult, IncomingMessage, Lang } from '../core/message.ts';
import type { ConversationInterceptor, InterceptedTurn } from '../core/message-service.ts';
import type { OutboundRouter } from '../core/outbound-router.ts';
import type { ConversationRecord } from '../core/ports.ts';
import type { Store } from '../store/store.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { alreadyQueuedNotice, caseOpenedNotice, expiredNotice, ratingThanks, resolvedNotice } from './notices.ts';
import { parseRating } from './rating-parse.ts';
import { routeDepartment } from './routing.ts';
import type { ServiceHours } from './service-hours.ts';
import type { Escalation, EscalationTrigger, StaffMember } from './types.ts';

/** What to do after unanswered questions: offer a person (the default), or open a case after N misses in a row. */
export interface EscalationPolicy {
  mode: 'offer' | 'escalate';
  missesBeforeEscalation: number;
}

export interface HandoffEvents {
  /** A case was opened or changed state, department, assignee or delivery status. */
  changed: [Escalation];
  /** A message was added to a case's conversation (citizen, staff or note). */
  message: [{ escalationId: number; conversationId: string; direction: 'in' | 'out' | 'note'; text: string; staffName?: string; at: Date }];
}

/** Why a staff action was refused; the API turns these into 403/404/409. */
export class HandoffError extends Error {
  override name = 'HandoffError';
  constructor(
    readonly code: 'not_found' | 'forbidden' | 'conflict' | 'bad_request',
    message: string,
  ) {
    super(message);
  }
}

export interface HandoffDeps {
  store: Store;
  outbound: OutboundRouter;
  hours: ServiceHours;
  policy: EscalationPolicy;
  /** Department of a knowledge-base entry (read at call time, so a reloaded knowledge base counts). */
  departmentOf: (entryId: string) => string | undefined;
  /** The knowledge-base entries that best match a text, with scores. */
  candidatesFor: (text: string) => Promise<Candidate[]>;
  now?: () => Date;
}

/** What opens a case. */
/** What a bot turn means for the human side, worked out before the write: the case it opens, if any. */
export interface EscalationPlan {
  trigger: EscalationTrigger;
  /** The question the case is about (this message, the unanswered one before it, or the previous message). */
  question: string;
  /** The citizen wants a person about the answer the bot just gave (the case is routed by that entry). */
  wantsPersonAboutAnswer: boolean;
  /** The question's best-matching entries, for routing. */
  candidates: Candidate[];
}

export interface OpenCaseInput {
  conversationId: string;
  channel: string;
  trigger: EscalationTrigger;
  question: string;
  candidates: Candidate[];
  /** The entry the bot just answered in this conversation: the citizen wants a person about it, so its department takes the case. */
  contextEntryId?: string;
}

export class HandoffService extends EventEmitter<HandoffEvents> implements ConversationInterceptor<EscalationPlan | null> {
  private readonly now: () => Date;

  constructor(private readonly deps: HandoffDeps) {
    super();
    this.now = deps.now ?? (() => new Date());
  }

  private get store(): Store {
    return this.deps.store;
  }

  /** Before the bot answers: staff hold the conversation, or the citizen is answering the rating question. */
  async before(message: IncomingMessage, conversation: ConversationRecord | undefined): Promise<EngineTurn | null> {
    const lang: Lang = message.lang ?? conversation?.state.lang ?? 'zh';
    const state = conversation?.state ?? { misses: 0 };
    const open = await this.store.escalations.findOpen(message.conversationId);
    const base = (outcome: EngineResult['outcome'], replies: EngineResult['replies']): EngineResult => ({
      conversationId: message.conversationId,
      lang,
      outcome,
      replies,
      candidates: [],
    });
    if (open?.state === 'assigned') {
      this.emit('message', { escalationId: open.id, conversationId: open.conversationId, direction: 'in', text: maskPersonalData(message.text), at: message.time });
      return { result: base('staff', []), state };
    }
    if (state.ratingFor !== undefined) {
      const parsed = parseRating(message.text);
      const rated = parsed ? await this.store.escalations.get(state.ratingFor) : undefined;
      if (parsed && rated) {
        await this.store.escalations.update(rated.id, {
          rating: parsed.rating,
          ratingComment: parsed.comment ? maskPersonalData(parsed.comment) : null,
          followUpOpen: parsed.rating === 'dissatisfied',
        });
        this.emit('changed', (await this.store.escalations.get(rated.id))!);
        return { result: base('answered', [ratingThanks(lang, parsed.rating)]), state: { ...state, ratingFor: undefined } };
      }
      return null;
    }
    return null;
  }

  /**
   * After the bot answered: open a case when the citizen asked for a person, or after repeated misses. Runs
   * inside the write that stores the turn (so it awaits nothing but the store); the new case is announced once
   * that write is durable.
   */
  async after(message: IncomingMessage, turn: EngineTurn, plan: EscalationPlan | null): Promise<InterceptedTurn> {
    const state = { ...turn.state, ratingFor: undefined };
    const { result } = turn;
    if (!plan) return { turn: { ...turn, state } };
    const { trigger, question, wantsPersonAboutAnswer, candidates } = plan;
    const { escalation, created } = await this.openQuietly({
      conversationId: message.conversationId,
      channel: message.channel,
      trigger,
      question,
      candidates,
      contextEntryId: wantsPersonAboutAnswer ? turn.state.lastEntryId : undefined,
    });
    const notice = created ? this.openedNotice(escalation, result.lang) : alreadyQueuedNotice(result.lang, escalation.caseNumber);
    const replies = trigger === 'asked_for_human' ? [notice] : [...result.replies, notice];
    return {
      turn: { ...turn, state: { ...state, misses: 0 }, result: { ...result, outcome: 'escalated', replies } },
      committed: created ? () => this.emit('changed', escalation) : undefined,
    };
  }

  /**
   * Before the write: whether the turn opens a case, for which question, and that question's candidates
   * (the turn's own, or the engine's when the question is an earlier message).
   */
  async prepare(message: IncomingMessage, turn: EngineTurn): Promise<EscalationPlan | null> {
    const { result } = turn;
    let trigger: EscalationTrigger | null = null;
    if (result.outcome === 'escalated') trigger = 'asked_for_human';
    else if (result.outcome === 'unanswered' && this.deps.policy.mode === 'escalate' && turn.state.misses >= this.deps.policy.missesBeforeEscalation) {
      trigger = 'repeated_misses';
    }
    if (!trigger) return null;
    // "转人工" on its own says nothing: the case shows the question the citizen could not get answered
    // (the engine's demand text), else their previous message, and is routed by that question, or by the
    // entry the bot just answered when the citizen wants a person about it.
    const demandText = turn.demand?.text ?? message.text;
    const wantsPersonAboutAnswer = trigger === 'asked_for_human' && demandText === message.text;
    const question = wantsPersonAboutAnswer ? ((await this.previousQuestion(message)) ?? message.text) : demandText;
    const candidates = question === message.text ? (turn.demand?.candidates ?? result.candidates) : await this.deps.candidatesFor(question);
    return { trigger, question, wantsPersonAboutAnswer, candidates };
  }

  /** Opens a case (or returns the conversation's open one). Staff use this from the demand log. */
  async open(input: OpenCaseInput): Promise<{ escalation: Escalation; created: boolean }> {
    const opened = await this.openQuietly(input);
    if (opened.created) this.emit('changed', opened.escalation);
    return opened;
  }

  /** Opens a case without announcing it. */
  private openQuietly(input: OpenCaseInput): Promise<{ escalation: Escalation; created: boolean }> {
    const now = this.now();
    const fromContext = input.contextEntryId ? this.deps.departmentOf(input.contextEntryId) : undefined;
    const department = fromContext ?? routeDepartment(input.candidates, this.deps.departmentOf);
    return this.store.escalations.open({
      conversationId: input.conversationId,
      channel: input.channel,
      department,
      trigger: input.trigger,
      question: maskPersonalData(input.question),
      candidates: input.candidates,
      createdAt: now,
      dueAt: this.deps.hours.addBusinessMinutes(now, this.deps.hours.targetMinutes(department)),
      caseDay: this.deps.hours.formatLocal(now).slice(0, 10).replaceAll('-', ''),
    });
  }

  /** Claims a waiting case: of two staff claiming at once, exactly one wins. */
  async claim(id: number, staff: StaffMember): Promise<Escalation> {
    const e = await this.visible(id, staff);
    if (!(await this.store.escalations.transition(e.id, ['pending', 'transferred', 'expired'], 'assigned', { assigneeId: staff.id }))) {
      throw new HandoffError('conflict', 'the case was already claimed or closed');
    }
    await this.audit(staff, 'claim', e);
    return this.changed(e.id);
  }

  /** Sends a staff reply to the citizen on their channel; an undeliverable one is flagged on the case. */
  async reply(id: number, staff: StaffMember, text: string): Promise<{ escalation: Escalation; delivery: DeliveryResult }> {
    const e = await this.held(id, staff);
    const now = this.now();
    if (!e.firstResponseAt) await this.store.escalations.update(e.id, { firstResponseAt: now });
    const delivery = await this.deps.outbound.deliver(e.conversationId, [{ text, staffName: staff.displayName }], 'staff');
    await this.store.escalations.update(e.id, {
      deliveryProblem: delivery.status === 'sent' ? null : `${delivery.reason}${delivery.detail ? `: ${delivery.detail}` : ''}`,
    });
    await this.audit(staff, 'reply', e, delivery.status);
    this.emit('message', { escalationId: e.id, conversationId: e.conversationId, direction: 'out', text: maskPersonalData(text), staffName: staff.displayName, at: now });
    return { escalation: await this.changed(e.id), delivery };
  }

  /** An internal note on the case; never shown to the citizen. */
  async note(id: number, staff: StaffMember, text: string): Promise<void> {
    const e = await this.visible(id, staff);
    const note = await this.store.notes.add(e.id, staff.id, text, this.now());
    await this.audit(staff, 'note', e);
    this.emit('message', { escalationId: e.id, conversationId: e.conversationId, direction: 'note', text: note.text, staffName: staff.displayName, at: note.createdAt });
  }

  /** Passes the case to another department's queue, with a note saying why. */
  async transfer(id: number, staff: StaffMember, department: string, note: string | undefined, knownDepartments: readonly string[]): Promise<Escalation> {
    const e = await this.visible(id, staff);
    if (!knownDepartments.includes(department)) throw new HandoffError('bad_request', `unknown department "${department}"`);
    if (e.state === 'assigned' && e.assigneeId !== staff.id && staff.role === 'agent') throw new HandoffError('forbidden', 'the case is held by someone else');
    const now = this.now();
    const patch = { department, assigneeId: null, ...(e.firstResponseAt ? {} : { dueAt: this.deps.hours.addBusinessMinutes(now, this.deps.hours.targetMinutes(department)) }) };
    if (!(await this.store.escalations.transition(e.id, ['pending', 'assigned', 'transferred', 'expired'], 'transferred', patch))) {
      throw new HandoffError('conflict', 'the case is already closed');
    }
    await this.store.notes.add(e.id, staff.id, `→ ${department}${note ? `: ${note}` : ''}`, now);
    await this.audit(staff, 'transfer', e, department);
    return this.changed(e.id);
  }

  /** A supervisor gives a case to a staff member. */
  async reassign(id: number, supervisor: StaffMember, assignee: StaffMember): Promise<Escalation> {
    if (supervisor.role === 'agent') throw new HandoffError('forbidden', 'only supervisors reassign cases');
    const e = await this.visible(id, supervisor);
    if (!(await this.store.escalations.transition(e.id, ['pending', 'assigned', 'transferred', 'expired'], 'assigned', { assigneeId: assignee.id }))) {
      throw new HandoffError('conflict', 'the case is already closed');
    }
    await this.audit(supervisor, 'reassign', e, assignee.name);
    return this.changed(e.id);
  }

  /** Closes the case; the bot takes the conversation back and asks for a rating. */
  async resolve(id: number, staff: StaffMember): Promise<Escalation> {
    const e = await this.held(id, staff);
    if (!(await this.store.escalations.transition(e.id, ['assigned'], 'resolved', { resolvedAt: this.now() }))) {
      throw new HandoffError('conflict', 'the case is not open');
    }
    await this.audit(staff, 'resolve', e);
    const conversation = await this.store.conversations.get(e.conversationId);
    const lang = conversation?.state.lang ?? 'zh';
    if (conversation) await this.store.conversations.save({ ...conversation, state: { ...conversation.state, ratingFor: e.id, misses: 0 }, updatedAt: this.now() });
    const delivery = await this.deps.outbound.deliver(e.conversationId, [resolvedNotice(lang, e.caseNumber)], 'answered');
    if (delivery.status !== 'sent') await this.store.escalations.update(e.id, { deliveryProblem: `${delivery.reason}` });
    return this.changed(e.id);
  }

  /** A supervisor closes the follow-up item a dissatisfied rating opened. */
  async closeFollowUp(id: number, supervisor: StaffMember): Promise<Escalation> {
    if (supervisor.role === 'agent') throw new HandoffError('forbidden', 'only supervisors close follow-ups');
    const e = await this.visible(id, supervisor);
    await this.store.escalations.update(e.id, { followUpOpen: false });
    await this.audit(supervisor, 'close_follow_up', e);
    return this.changed(e.id);
  }

  /** Expires cases nobody answered in time and tells their citizens; returns the expired cases. */
  async sweep(): Promise<Escalation[]> {
    const now = this.now();
    const hours = this.deps.hours;
    const due = await this.store.escalations.dueForExpiry(now, (e) => hours.addBusinessMinutes(e.createdAt, hours.config.expireAfterMinutes));
    const expired: Escalation[] = [];
    for (const e of due) {
      if (!(await this.store.escalations.transition(e.id, ['pending', 'transferred'], 'expired', { expiredAt: now }))) continue;
      const lang = (await this.store.conversations.get(e.conversationId))?.state.lang ?? 'zh';
      const next = hours.nextOpening(new Date(now.getTime() + 60_000));
      const delivery = await this.deps.outbound.deliver(e.conversationId, [expiredNotice(lang, e.caseNumber, next ? hours.formatLocal(next) : null)], 'escalated');
      if (delivery.status !== 'sent') await this.store.escalations.update(e.id, { deliveryProblem: delivery.reason });
      expired.push(await this.changed(e.id));
    }
    return expired;
  }

  /** A case the staff member may see: their departments' queues, or every queue for supervisors and admins. */
  async visible(id: number, staff: StaffMember): Promise<Escalation> {
    const e = await this.store.escalations.get(id);
    if (!e) throw new HandoffError('not_found', `no case ${id}`);
    if (!canSee(staff, e)) throw new HandoffError('forbidden', 'this case belongs to another department');
    return e;
  }

  /** The queue a staff member works, oldest first. */
  queue(staff: StaffMember, states?: Escalation['state'][]): Promise<Escalation[]> {
    return this.store.escalations.list({ states, departments: staff.role === 'agent' ? staff.departments : undefined });
  }

  /** The citizen's last message other than this one, if any. */
  private async previousQuestion(message: IncomingMessage): Promise<string | undefined> {
    // The message itself may already be stored (it is written in the same unit, or before the answer on WeChat).
    return (await this.store.messages.listByConversation(message.conversationId, 20)).findLast((m) => m.direction === 'in' && m.text !== message.text)?.text;
  }

  private async held(id: number, staff: StaffMember): Promise<Escalation> {
    const e = await this.visible(id, staff);
    if (e.state !== 'assigned') throw new HandoffError('conflict', 'claim the case first');
    if (e.assigneeId !== staff.id && staff.role === 'agent') throw new HandoffError('forbidden', 'the case is held by someone else');
    return e;
  }

  private openedNotice(e: Escalation, lang: Lang) {
    const hours = this.deps.hours;
    const now = this.now();
    if (hours.isOpen(now)) return caseOpenedNotice(lang, e.caseNumber, { minutes: hours.targetMinutes(e.department) });
    const next = hours.nextOpening(now);
    return caseOpenedNotice(lang, e.caseNumber, next ? { at: hours.formatLocal(next) } : { minutes: hours.targetMinutes(e.department) });
  }

  private async changed(id: number): Promise<Escalation> {
    const e = (await this.store.escalations.get(id))!;
    this.emit('changed', e);
    return e;
  }

  private audit(staff: StaffMember, action: string, e: Escalation, detail: string | null = null): Promise<void> {
    return this.store.audit.record({ staffId: staff.id, action, target: e.caseNumber, detail, createdAt: this.now() });
  }
}

/** Agents see their departments' cases; supervisors and administrators see every queue. */
export function canSee(staff: StaffMember, e: Escalation): boolean {
  return staff.role !== 'agent' || staff.departments.includes(e.department) || e.assigneeId === staff.id;
}
