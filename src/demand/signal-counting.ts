/**
 * Counting people, not messages, in the demand log. Before topics are grouped: a flood (many near-identical texts
 * from one client address or one conversation within the window) is set aside and reported, and the same masked
 * text from one conversation or address within the window is one signal, which keeps every reason it was logged for
 * (an unanswered question followed by "转人工" is one signal with reasons no_match and asked_for_human). Works at read
 * time, so databases written before these rules are counted the same way. Deterministic and linear in the signals.
 */
import type { DemandReason } from '../core/engine.ts';
import type { DemandRecord } from '../core/ports.ts';
import { maskPersonalData } from '../privacy/mask.ts';

/** A signal as counted: the first of its repeats, with the reasons and the number of messages it stands for. */
export interface CountedSignal extends DemandRecord {
  /** Every reason logged for it, in order (e.g. no_match, asked_for_human). */
  reasons: DemandReason[];
  /** Messages it stands for: itself and the repeats folded into it. */
  messages: number;
}

/** Near-identical texts from one source, set aside from the topics. */
export interface Flood {
  /** `address`: one client address (across conversations); `conversation`: one conversation. */
  source: 'address' | 'conversation';
  /** A short, stable reference to the source (a prefix of the address hash, or the conversation id). */
  sourceId: string;
  channel: string;
  /** The text with digits, punctuation and numerals stripped, which the messages share. */
  pattern: string;
  messages: number;
  conversations: number;
  first: Date;
  last: Date;
  /** The flood's texts (masked), oldest first, at most MAX_FLOOD_TEXTS. */
  texts: Array<{ id: number; text: string; createdAt: Date }>;
}

export interface CountedDemand {
  /** Counted signals (floods left out, repeats folded), oldest first. */
  signals: CountedSignal[];
  floods: Flood[];
  /** Signals read, before counting. */
  received: number;
  /** Signals folded into an earlier one of the same conversation or address. */
  repeats: number;
  /** Signals that belong to a flood. */
  floodMessages: number;
}

export interface CountOptions {
  /** Repeats within this many ms of a signal count once; floods are found within it too. */
  windowMs: number;
  /** Near-identical texts from one source within the window that make a flood. */
  floodMessages: number;
}

const MAX_FLOOD_TEXTS = 200;
/** Reasons that follow a question in the same conversation (its text is the question): merged whatever the time between. */
const FOLLOW_UPS: ReadonlySet<DemandReason> = new Set(['asked_for_human', 'not_helpful']);

/** What texts of a flood share: no digits (Arabic or Chinese), punctuation, symbols or spaces. */
export function floodPattern(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{N}\p{P}\p{S}\s零〇一二两三四五六七八九十百千万]/gu, '');
}

/** The text that repeats compare (stored masked): width- and case-folded, spaces collapsed. */
function repeatKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Signals (any order) counted as people: floods set aside, repeats folded. */
export function countSignals(records: readonly DemandRecord[], options: CountOptions): CountedDemand {
  const sorted = [...records].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
  const { flooded, floods } = findFloods(sorted, options);
  const signals: CountedSignal[] = [];
  const latest = new Map<string, CountedSignal>();
  let repeats = 0;
  for (const s of sorted) {
    if (flooded.has(s.id)) continue;
    const text = repeatKey(s.text);
    const byConversation = `c\u0000${s.conversationId}\u0000${text}`;
    const byAddress = s.sourceKey ? `a\u0000${s.sourceKey}\u0000${text}` : undefined;
    const t = s.createdAt.getTime();
    const same = latest.get(byConversation);
    const fromAddress = byAddress === undefined ? undefined : latest.get(byAddress);
    const kept =
      same && (FOLLOW_UPS.has(s.reason) || t - same.createdAt.getTime() <= options.windowMs)
        ? same
        : fromAddress && t - fromAddress.createdAt.getTime() <= options.windowMs
          ? fromAddress
          : undefined;
    if (kept) {
      if (!kept.reasons.includes(s.reason)) kept.reasons.push(s.reason);
      kept.messages++;
      repeats++;
      continue;
    }
    const counted: CountedSignal = { ...s, reasons: [s.reason], messages: 1 };
    signals.push(counted);
    latest.set(byConversation, counted);
    if (byAddress) latest.set(byAddress, counted);
  }
  return { signals, floods, received: records.length, repeats, floodMessages: flooded.size };
}

/** Signals of a source with the same flood pattern, `floodMessages` or more within the window: their ids and reports. */
function findFloods(sorted: readonly DemandRecord[], options: CountOptions): { flooded: Set<number>; floods: Flood[] } {
  const groups = new Map<string, { source: Flood['source']; sourceId: string; pattern: string; members: DemandRecord[] }>();
  const add = (source: Flood['source'], sourceId: string, s: DemandRecord, pattern: string): void => {
    const key = `${source}\u0000${sourceId}\u0000${pattern}`;
    const group = groups.get(key) ?? groups.set(key, { source, sourceId, pattern, members: [] }).get(key)!;
    group.members.push(s);
  };
  const patterns = new Map<string, string>();
  const patternOf = (text: string): string => patterns.get(text) ?? patterns.set(text, floodPattern(text)).get(text)!;
  // Addresses first: a flood spread over conversations of one address is reported once, as the address's.
  for (const s of sorted) if (s.sourceKey) add('address', s.sourceKey, s, patternOf(s.text));
  for (const s of sorted) add('conversation', s.conversationId, s, patternOf(s.text));
  const flooded = new Set<number>();
  const floods: Flood[] = [];
  const min = Math.max(2, options.floodMessages);
  for (const group of groups.values()) {
    const { members } = group;
    if (members.length < min) continue;
    const marked: DemandRecord[] = [];
    let start = 0;
    let markedTo = -1;
    for (let end = 0; end < members.length; end++) {
      const t = members[end]!.createdAt.getTime();
      while (t - members[start]!.createdAt.getTime() > options.windowMs) start++;
      if (end - start + 1 < min) continue;
      for (let k = Math.max(start, markedTo + 1); k <= end; k++) marked.push(members[k]!);
      markedTo = end;
    }
    const fresh = marked.filter((s) => !flooded.has(s.id));
    if (fresh.length === 0) continue;
    for (const s of fresh) flooded.add(s.id);
    floods.push({
      source: group.source,
      sourceId: group.source === 'address' ? group.sourceId.slice(0, 8) : group.sourceId,
      channel: fresh[0]!.channel,
      pattern: group.pattern,
      messages: fresh.length,
      conversations: new Set(fresh.map((s) => s.conversationId)).size,
      first: fresh[0]!.createdAt,
      last: fresh.at(-1)!.createdAt,
      texts: fresh.slice(0, MAX_FLOOD_TEXTS).map((s) => ({ id: s.id, text: maskPersonalData(s.text), createdAt: s.createdAt })),
    });
  }
  floods.sort((a, b) => b.messages - a.messages || a.first.getTime() - b.first.getTime());
  return { flooded, floods };
}
