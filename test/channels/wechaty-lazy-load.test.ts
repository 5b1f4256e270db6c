/** Wechaty and its puppets are large; a server without WECHATY_PUPPET must never load them. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

describe('wechaty channel loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'huiying-wechaty-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports and stays off without loading the wechaty packages', () => {
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(hooks, `export async function resolve(specifier, context, next) {
  if (/^wechaty/.test(specifier)) console.log('resolved ' + specifier);
  return next(specifier, context);
}\n`);
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const script = join(dir, 'probe.mts');
    writeFileSync(
      script,
      `const { wechatyChannel } = await import(${JSON.stringify(pathToFileURL(resolve('channels/wechaty/index.ts')).href)});
console.log('channel ' + wechatyChannel.name + ' ' + JSON.stringify(await wechatyChannel.create({}, {})));\n`,
    );
    const out = execFileSync(process.execPath, ['--import', pathToFileURL(register).href, '--import', 'tsx', script], { encoding: 'utf8' });
    expect(out).toContain('channel wechaty null');
    expect(out).not.toContain('resolved wechaty');
  });
});
