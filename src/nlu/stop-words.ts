/**
 * English function words that carry no topic: dropped before features are built, so a long question
 * ("I was wondering if you could tell me ...") is matched on its content words. Question words
 * (how, what, where, when) stay: they separate "how to apply" from "where to apply".
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the i me my mine myself we us our ours you your yours he him his she her hers it its they them their ' +
    'is am are was were be been being do does did doing have has had having will would shall should can could may might must ' +
    'to of in on at by for with about from into onto over under up down out off as than then so too very just also ' +
    'and or but if because while though although this that these those there here some any each ' +
    "im i'm ive i've id i'd ill i'll s t"
  ).split(' '),
);

/** True for a lower-case Latin word that carries no topic. */
export function isEnglishStopWord(word: string): boolean {
  return ENGLISH_STOP_WORDS.has(word);
}
