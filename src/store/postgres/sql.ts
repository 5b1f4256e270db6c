/** SQL shared by the PostgreSQL repositories: numbered parameters, and expressions that stand in for SQLite's. */

const DAY_MS = 86_400_000;

/** Collects the values of one statement, naming each `$n` as it is added. */
export class Params {
  readonly values: unknown[] = [];

  /** `$n` for `value`. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The local day (YYYY-MM-DD) of `created_at` at the UTC offset (ms) bound as `offset`, as SQLite's `strftime` gives it. */
export const localDay = (offset: string): string => `to_char(date '1970-01-01' + ((created_at + ${offset}::bigint) / ${DAY_MS})::integer, 'YYYY-MM-DD')`;

/** A bot turn is one conversation at one time: several replies to one message count once. */
export const TURNS = "COUNT(DISTINCT conversation_id || '@' || created_at)";
