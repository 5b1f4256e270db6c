/**
 * The hostile-input corpus: what citizens' messages and platform payloads may contain, well-meant or not.
 * Every entry point is fed these, and afterwards must still answer a normal question.
 */
import { expect } from 'vitest';
import type { TestServer } from '../support/test-server.ts';

/** Personal data in the corpus: it must never be stored or logged unmasked. */
export const PHONE = '13912345678';
export const ID_NUMBER = '11010519491231002X';

/** Texts a citizen might send (each is a valid message of at most 2000 characters). */
export const HOSTILE_TEXTS: ReadonlyArray<readonly [name: string, text: string]> = [
  ['script tag', '<script>window.__pwned=1;document.title="pwned"</script>居住证怎么办理'],
  ['image onerror', '<img src=x onerror="window.__pwned=1;document.title=\'pwned\'">'],
  ['svg onload', '<svg/onload=window.__pwned=1>'],
  ['javascript link', '<a href="javascript:window.__pwned=1">点我</a>'],
  ['iframe', '<iframe src="javascript:parent.__pwned=1"></iframe>'],
  ['html entities', '&lt;b&gt;bold&lt;/b&gt; &amp; &#x3C;script&#x3E;'],
  ['markdown and telegram html', '*bold* _it_ [link](javascript:alert(1)) <b>b</b> `code`'],
  ['sql injection', "'; DROP TABLE messages; --"],
  ['sql union', "1' OR '1'='1' UNION SELECT password_hash FROM staff --"],
  ['template injection', '{{constructor.constructor("return process")().exit()}} ${process.exit(1)}'],
  ['prototype keys', '__proto__ constructor prototype'],
  ['control characters', 'a\u0000b\u0001c\u0007d\u001be\u007f居住证'],
  ['zero-width characters', '居\u200b住\u200c证\u200d怎\ufeff么办理'],
  ['right-to-left override', '\u202e居住证怎么办理\u202c \u2067abc\u2069'],
  ['emoji and flags', '😀👨‍👩‍👧‍👦🇨🇳 居住证 🙏🏽'],
  ['lone surrogates', 'abc\ud800def\udc00'],
  ['replacement characters (invalid UTF-8 decoded)', 'abc\ufffd\ufffddef'],
  ['combining marks', 'Z\u0351\u0360\u0361A\u0352\u0357\u035bL\u0363\u0364G\u0365O'],
  ['only punctuation', '？？？！！！。。。'],
  ['only whitespace and text', '\t\n 护照 \r\n'],
  ['long text', '办'.repeat(2000)],
  ['path traversal', '../../../../etc/passwd %00 %2e%2e%2f'],
  ['cdata terminator', ']]><xml><evil/></xml><![CDATA['],
  ['xml entity text', '<!DOCTYPE x [<!ENTITY e "boom">]>&e;'],
  ['personal data', `我的身份证号${ID_NUMBER}，手机${PHONE}，社保怎么查`],
  ['newline injection', 'hello\r\nX-Injected: 1\r\n\r\n{"forged":true}'],
];

/** Values that are not strings where a string is expected. */
export const WRONG_TYPES: ReadonlyArray<readonly [name: string, value: unknown]> = [
  ['number', 42],
  ['boolean', true],
  ['null', null],
  ['array', ['居住证']],
  ['object', { $gt: '' }],
];

/** Bodies that are not valid JSON. */
export const MALFORMED_JSON: readonly string[] = ['{', '{"text": ', '[1,2', '{"text": "unterminated}', 'nul', '\u0000\u0001', '{"text": "a",}', '\ufeff{"a"'];

/** A body of `bytes` bytes, over every body limit. */
export const hugeJson = (bytes = 200_000): string => JSON.stringify({ text: 'x'.repeat(bytes) });

/** Asks the HTTP API a normal question: proves the server is still up and answering after a batch. */
export async function expectStillAnswers(server: TestServer): Promise<void> {
  const res = await fetch(`${server.url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: '居住证怎么办理' }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { outcome: string; replies: Array<{ text: string }> };
  expect(body.outcome).toBe('answered');
  expect(body.replies[0]?.text).toContain('居住证');
}

/** Nothing stored (messages, demand signals, conversation state) contains the corpus's phone or ID number. */
export function expectNothingStoredUnmasked(server: TestServer): void {
  const db = server.store.db;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
  for (const table of tables) {
    const columns = (db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{ name: string; type: string }>).filter((c) => /TEXT/i.test(c.type) || c.type === '');
    for (const column of columns) {
      const hit = db.prepare(`SELECT COUNT(*) AS n FROM "${table}" WHERE CAST("${column.name}" AS TEXT) LIKE ? OR CAST("${column.name}" AS TEXT) LIKE ?`).get(`%${PHONE}%`, `%${ID_NUMBER}%`) as { n: number };
      expect(hit.n, `${table}.${column.name} holds unmasked personal data`).toBe(0);
    }
  }
}
