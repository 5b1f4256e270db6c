/** SQL expressions the figures share (retention's daily statistics and the demand dashboard count alike). */

/** The local day (YYYY-MM-DD) of `created_at` (ms): one `?` parameter, the UTC offset in ms. */
export const LOCAL_DAY = "strftime('%Y-%m-%d', (created_at + CAST(? AS INTEGER)) / 1000, 'unixepoch')";

/** Bot turns: the replies stored together for one conversation at one time count once. */
export const TURNS = "COUNT(DISTINCT conversation_id || '@' || created_at)";
