/** Inputs shared by the store contract tests. */
import type { IncomingMessage } from '../../../src/core/message.ts';
import type { NewEscalation, NewStaff } from '../../../src/handoff/ports.ts';
import type { StaffMember } from '../../../src/handoff/types.ts';
import type { Store } from '../../../src/store/store.ts';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const UTC8 = 8 * HOUR;

/** The store of the running test (opened afresh for each). */
export type CurrentStore = () => Store;

export const at = (iso: string): Date => new Date(iso);
export const ms = (iso: string): number => Date.parse(iso);

export function inbound(overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    channel: 'telegram',
    conversationId: 'telegram:42',
    senderId: '42',
    text: '居住证怎么办',
    time: at('2025-03-01T08:00:00Z'),
    ...overrides,
  };
}

/** A case of `conversationId` opened at `createdAt` (default 2026-12-01 10:00 at UTC+8), due an hour later. */
export function caseFor(conversationId: string, overrides: Partial<NewEscalation> = {}): NewEscalation {
  const createdAt = overrides.createdAt ?? at('2026-12-01T02:00:00Z');
  return {
    conversationId,
    channel: 'web',
    department: 'general',
    trigger: 'asked_for_human',
    question: '我要找人工',
    candidates: [{ entryId: 'residence-permit', score: 0.42 }],
    createdAt,
    dueAt: new Date(createdAt.getTime() + HOUR),
    caseDay: '20261201',
    ...overrides,
  };
}

export function newStaff(name: string, overrides: Partial<NewStaff> = {}): NewStaff {
  return { name, displayName: `Staff ${name}`, role: 'agent', departments: ['general'], passwordHash: `hash-of-${name}`, ...overrides };
}

export const createStaff = (store: Store, name: string, overrides: Partial<NewStaff> = {}): Promise<StaffMember> => store.staff.create(newStaff(name, overrides));

/** `HY-<day>-0001` ... for `count` cases from `first`. */
export const caseNumbers = (day: string, count: number, first = 1): string[] =>
  Array.from({ length: count }, (_, i) => `HY-${day}-${String(first + i).padStart(4, '0')}`);
