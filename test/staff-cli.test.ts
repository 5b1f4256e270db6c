/** `huiying staff add` run as a real process, the way an administrator creates the first account. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/handoff/passwords.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'huiying-staff-cli-'));
const db = join(dir, 'staff.db');

function huiying(args: string[], stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('node', ['bin/huiying.js', ...args], { env: { ...process.env, DATABASE_PATH: db, LOG_LEVEL: 'silent' } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('huiying staff add', () => {
  it("refuses a database that does not exist (not the server's), naming the path, and creates none", async () => {
    const run = await huiying(['staff', 'add', '--name', 'admin', '--role', 'admin', '--password-stdin'], 'a-long-admin-password\n');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`no database at ${db}: start the server once first, or run this with the server's settings`);
    expect(existsSync(db)).toBe(false);
  }, 60_000);

  it('creates an administrator with the password from standard input, in the database it names', async () => {
    // The server created the database at its first start.
    await new SqliteStore(db).close();
    const run = await huiying(['staff', 'add', '--name', 'admin', '--role', 'admin', '--password-stdin'], 'a-long-admin-password\n');
    expect(run.stdout).toContain(`created admin "admin" in ${db}`);
    const store = new SqliteStore(db);
    const account = (await store.staff.findByName('admin'))!;
    await store.close();
    expect(account.role).toBe('admin');
    expect(await verifyPassword('a-long-admin-password', account.passwordHash)).toBe(true);
  }, 60_000);

  it('names the problem and exits 1 for an unknown department, a short or common password or a taken name', async () => {
    const badDept = await huiying(['staff', 'add', '--name', 'li', '--department', 'moon', '--password-stdin'], 'a-long-agent-password');
    expect(badDept.code).toBe(1);
    expect(badDept.stderr).toMatch(/--department moon: unknown; known departments: public-security/);
    const short = await huiying(['staff', 'add', '--name', 'li', '--department', 'taxation', '--password-stdin'], 'short');
    expect(short.stderr).toMatch(/at least 10 characters/);
    const common = await huiying(['staff', 'add', '--name', 'li', '--department', 'taxation', '--password-stdin'], 'password12');
    expect(common.code).toBe(1);
    expect(common.stderr).toMatch(/password is too weak: This is a commonly used password/);
    const chinese = await huiying(['staff', 'add', '--name', 'li', '--department', 'taxation', '--password-stdin'], 'woaini1314');
    expect(chinese.stderr).toMatch(/too weak: This is a frequently used password/);
    const taken = await huiying(['staff', 'add', '--name', 'admin', '--role', 'admin', '--password-stdin'], 'another-long-password');
    expect(taken.stderr).toMatch(/already exists/);
    const agentWithout = await huiying(['staff', 'add', '--name', 'li', '--password-stdin'], 'a-long-agent-password');
    expect(agentWithout.stderr).toMatch(/agent needs at least one --department/);
  }, 240_000);

  it('removes an account\'s two-step verification, for an administrator who lost phone and recovery codes', async () => {
    const store = new SqliteStore(db);
    const id = (await store.staff.findByName('admin'))!.id;
    await store.secondFactors.setPending(id, 'sealed-secret');
    await store.secondFactors.enable(id, new Date(), 1, ['hash']);
    await store.close();
    const run = await huiying(['staff', 'reset-2fa', '--name', 'admin'], '');
    expect(run.stdout).toContain('two-step verification of "admin" removed');
    const after = new SqliteStore(db);
    expect(await after.secondFactors.get(id)).toBeUndefined();
    expect((await after.audit.list()).map((e) => e.action)).toContain('totp_reset');
    await after.close();
    const unknown = await huiying(['staff', 'reset-2fa', '--name', 'nobody'], '');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no staff member "nobody"/);
  }, 120_000);
});
