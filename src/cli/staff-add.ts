/** `huiying staff add`: creates a staff account from the command line (the first administrator comes from here). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import type { Store } from '../store/store.ts';
import { passwordProblem } from '../handoff/password-policy.ts';
import { hashPassword } from '../handoff/passwords.ts';
import type { StaffMember, StaffRole } from '../handoff/types.ts';

export interface StaffAddOptions {
  name: string;
  displayName?: string;
  role: StaffRole;
  department: string[];
  passwordStdin?: boolean;
}

/** Thrown for bad input; the CLI prints the message and exits with status 1. */
export class StaffAddError extends Error {
  override name = 'StaffAddError';
}

/** Reads the password: all of standard input with --password-stdin, else an interactive prompt (typed twice, not echoed). */
export async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  if (!process.stdin.isTTY) throw new StaffAddError('no terminal to prompt for a password; use --password-stdin');
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const ask = async (prompt: string): Promise<string> => {
      process.stdout.write(prompt);
      muted = true;
      const answer = await rl.question('');
      muted = false;
      process.stdout.write('\n');
      return answer;
    };
    const first = await ask('Password: ');
    const second = await ask('Repeat password: ');
    if (first !== second) throw new StaffAddError('the two passwords differ');
    return first;
  } finally {
    rl.close();
  }
}

/**
 * The server's database, which must exist: an account written to another file (a relative DATABASE_PATH
 * run from another folder, or without the server's settings) would never let anyone log in.
 */
export function serverDatabase(databasePath: string): string {
  const file = resolve(databasePath);
  if (!existsSync(file)) {
    throw new StaffAddError(
      `no database at ${file}: start the server once first, or run this with the server's settings ` +
        '(DATABASE_PATH as the server has it, e.g. set -a && . /etc/huiying/huiying.env)',
    );
  }
  return file;
}

export async function addStaff(store: Store, options: StaffAddOptions, password: string, knownDepartments: readonly string[]): Promise<StaffMember> {
  if (!/^[\p{L}\p{N}._-]{2,64}$/u.test(options.name)) throw new StaffAddError(`--name "${options.name}": use 2-64 letters, digits, ".", "_" or "-"`);
  if (!['agent', 'supervisor', 'admin'].includes(options.role)) throw new StaffAddError(`--role "${options.role}": must be agent, supervisor or admin`);
  const unknown = options.department.filter((d) => !knownDepartments.includes(d));
  if (unknown.length > 0) throw new StaffAddError(`--department ${unknown.join(', ')}: unknown; known departments: ${knownDepartments.join(', ')}`);
  if (options.role === 'agent' && options.department.length === 0) throw new StaffAddError('an agent needs at least one --department');
  const problem = await passwordProblem(password, { name: options.name, displayName: options.displayName });
  if (problem) throw new StaffAddError(problem.message);
  if (await store.staff.findByName(options.name)) throw new StaffAddError(`staff member "${options.name}" already exists`);
  return store.staff.create({
    name: options.name,
    displayName: options.displayName ?? options.name,
    role: options.role,
    departments: options.department,
    passwordHash: await hashPassword(password),
  });
}
