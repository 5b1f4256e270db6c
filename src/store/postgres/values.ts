/** How PostgreSQL values reach JavaScript here: `bigint` as a number (times are ms since the epoch, ids and counts are small). */
import pg from 'pg';

/** The type parsers of the store's pool: int8 as a JS number, every other type as pg parses it. */
export const STORE_TYPES = new pg.TypeOverrides();
STORE_TYPES.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/** A row as pg returns it, before it is mapped to a domain type. */
export type Row = Record<string, unknown>;

/** A nullable ms column as a Date (or null). */
export const date = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as number));
