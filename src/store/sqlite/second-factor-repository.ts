/** SQLite: staff accounts' TOTP secrets (sealed by the caller), replay and failure counters, and hashed recovery codes. */
import type Database from 'better-sqlite3';
import type { SecondFactorRepository, TotpState } from '../../handoff/ports.ts';
import { type Row, toTotpState } from '../rows.ts';
import { statement } from './statement-cache.ts';
import type { Synchronous } from './synchronous.ts';

export class SqliteSecondFactors implements Synchronous<SecondFactorRepository> {
  constructor(private readonly db: Database.Database) {}

  get(staffId: number): TotpState | undefined {
    const row = statement(this.db, 'SELECT * FROM staff_totp WHERE staff_id = ?').get(staffId) as Row | undefined;
    return row ? toTotpState(row) : undefined;
  }

  setPending(staffId: number, sealedSecret: string): void {
    statement(this.db, 'INSERT INTO staff_totp (staff_id, pending_secret) VALUES (?, ?) ON CONFLICT (staff_id) DO UPDATE SET pending_secret = excluded.pending_secret').run(
      staffId,
      sealedSecret,
    );
  }

  enable(staffId: number, at: Date, step: number, recoveryCodeHashes: string[]): void {
    this.db.transaction(() => {
      statement(
        this.db,
        'UPDATE staff_totp SET secret = pending_secret, pending_secret = NULL, enabled_at = ?, last_step = ?, failures = 0, locked_until = NULL WHERE staff_id = ? AND pending_secret IS NOT NULL',
      ).run(at.getTime(), step, staffId);
      statement(this.db, 'DELETE FROM staff_recovery_codes WHERE staff_id = ?').run(staffId);
      const insert = statement(this.db, 'INSERT INTO staff_recovery_codes (staff_id, code_hash) VALUES (?, ?)');
      for (const hash of recoveryCodeHashes) insert.run(staffId, hash);
    })();
  }

  acceptStep(staffId: number, step: number): void {
    statement(this.db, 'UPDATE staff_totp SET last_step = MAX(COALESCE(last_step, 0), ?), failures = 0, locked_until = NULL WHERE staff_id = ?').run(step, staffId);
  }

  recordFailure(staffId: number, failures: number, lockedUntil: Date | null): void {
    statement(this.db, 'UPDATE staff_totp SET failures = ?, locked_until = ? WHERE staff_id = ?').run(failures, lockedUntil?.getTime() ?? null, staffId);
  }

  useRecoveryCode(staffId: number, codeHash: string, at: Date): boolean {
    const info = statement(this.db, 'UPDATE staff_recovery_codes SET used_at = ? WHERE staff_id = ? AND code_hash = ? AND used_at IS NULL').run(at.getTime(), staffId, codeHash);
    if (info.changes === 1) statement(this.db, 'UPDATE staff_totp SET failures = 0, locked_until = NULL WHERE staff_id = ?').run(staffId);
    return info.changes === 1;
  }

  unusedRecoveryCodes(staffId: number): number {
    return statement(this.db, 'SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = ? AND used_at IS NULL').pluck().get(staffId) as number;
  }

  clear(staffId: number): void {
    this.db.transaction(() => {
      statement(this.db, 'DELETE FROM staff_totp WHERE staff_id = ?').run(staffId);
      statement(this.db, 'DELETE FROM staff_recovery_codes WHERE staff_id = ?').run(staffId);
    })();
  }
}
