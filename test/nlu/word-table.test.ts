/** The typed-array word table gives what a Map of the same dictionary gives. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { WordTable } from '../../src/nlu/word-table.ts';

describe('WordTable', () => {
  it("holds jieba's whole idf dictionary: every word's value as a Map has it, no word it lacks", () => {
    const entries: Array<[string, number]> = [];
    for (const line of readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/idf.txt'), 'utf8').split('\n')) {
      const space = line.indexOf(' ');
      if (space > 0) entries.push([line.slice(0, space), Number(line.slice(space + 1))]);
    }
    const map = new Map(entries);
    const table = new WordTable(entries);
    expect(table.size).toBe(map.size);
    for (const [word, value] of map) expect(table.get(word)).toBe(value);
    // Words made up of dictionary words, and near misses, are not in it.
    const words = [...map.keys()];
    let absent = 0;
    for (let i = 0; i < 20_000; i++) {
      const made = `${words[(i * 7919) % words.length]}${words[(i * 104_729) % words.length]}X`;
      if (!map.has(made)) {
        absent++;
        expect(table.has(made)).toBe(false);
        expect(table.get(made)).toBeUndefined();
      }
    }
    expect(absent).toBeGreaterThan(19_000);
  });

  it('keeps the last value of a word given twice, and answers for an empty table', () => {
    const table = new WordTable([
      ['办理', 1],
      ['居住证', 2],
      ['办理', 3],
    ]);
    expect(table.size).toBe(2);
    expect(table.get('办理')).toBe(3);
    expect(table.get('居住证')).toBe(2);
    expect(new WordTable([]).get('办理')).toBeUndefined();
  });
});
