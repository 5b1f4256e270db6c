/** How PostgreSQL values reach JavaScript here: `bigint` as a number (times are ms since the epoch, ids and counts are small). */
import pg from 'pg';

/** The type parsers of the store's pool: int8 as a JS number, every other type as pg parses it. */
export const STORE_TYPES = new pg.TypeOverrides();
STORE_TYPES.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
