/** PostgreSQL: staff accounts' TOTP secrets (sealed by the caller), replay and failure counters, and hashed recovery codes. */
import type { SecondFactorRepository, TotpState } from '../../handoff/ports.ts';
import { toTotpState } from '../rows.ts';
import type { PgDatabase } from './database.ts';

export class PgSecondFactors implements SecondFactorRepository {
  constructor(private readonly db: PgDatabase) {}

  async get(staffId: number): Promise<TotpState | undefined> {
    const row = await this.db.row('SELECT * FROM staff_totp WHERE staff_id = $1', [staffId]);
    return row ? toTotpState(row) : undefined;
  }

  async setPending(staffId: number, sealedSecret: string): Promise<void> {
    await this.db.query(
      'INSERT INTO staff_totp (staff_id, pending_secret) VALUES ($1, $2) ON CONFLICT (staff_id) DO UPDATE SET pending_secret = excluded.pending_secret',
      [staffId, sealedSecret],
    );
  }

  enable(staffId: number, at: Date, step: number, recoveryCodeHashes: string[]): Promise<void> {
    return this.db.write(async () => {
      await this.db.query(
        `UPDATE staff_totp SET secret = pending_secret, pending_secret = NULL, enabled_at = $1, last_step = $2, failures = 0, locked_until = NULL
         WHERE staff_id = $3 AND pending_secret IS NOT NULL`,
        [at.getTime(), step, staffId],
      );
      await this.db.query('DELETE FROM staff_recovery_codes WHERE staff_id = $1', [staffId]);
      await this.db.query('INSERT INTO staff_recovery_codes (staff_id, code_hash) SELECT $1, unnest($2::text[])', [staffId, recoveryCodeHashes]);
    });
  }

  async acceptStep(staffId: number, step: number): Promise<void> {
    await this.db.query('UPDATE staff_totp SET last_step = GREATEST(COALESCE(last_step, 0), $1), failures = 0, locked_until = NULL WHERE staff_id = $2', [step, staffId]);
  }

  async recordFailure(staffId: number, failures: number, lockedUntil: Date | null): Promise<void> {
    await this.db.query('UPDATE staff_totp SET failures = $1, locked_until = $2 WHERE staff_id = $3', [failures, lockedUntil?.getTime() ?? null, staffId]);
  }

  async useRecoveryCode(staffId: number, codeHash: string, at: Date): Promise<boolean> {
    // One statement: the code is used at most once even when two logins race, and a good code ends a lock.
    const row = await this.db.row<{ used: number }>(
      `WITH used AS (
         UPDATE staff_recovery_codes SET used_at = $3 WHERE staff_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING staff_id
       ), reset AS (
         UPDATE staff_totp SET failures = 0, locked_until = NULL WHERE staff_id IN (SELECT staff_id FROM used)
       )
       SELECT COUNT(*) AS used FROM used`,
      [staffId, codeHash, at.getTime()],
    );
    return row!.used === 1;
  }

  async unusedRecoveryCodes(staffId: number): Promise<number> {
    return (await this.db.row<{ n: number }>('SELECT COUNT(*) AS n FROM staff_recovery_codes WHERE staff_id = $1 AND used_at IS NULL', [staffId]))!.n;
  }

  async clear(staffId: number): Promise<void> {
    await this.db.query('WITH codes AS (DELETE FROM staff_recovery_codes WHERE staff_id = $1) DELETE FROM staff_totp WHERE staff_id = $1', [staffId]);
  }
}
