/** How many engine threads ENGINE_THREADS asks for on this machine. */
import { availableParallelism } from 'node:os';

/** `auto`: one fewer than the cores, at most 4 (none on one core); a number is taken as it is. */
export function engineThreadCount(setting: 'auto' | number, cores = availableParallelism()): number {
  return setting === 'auto' ? Math.max(0, Math.min(4, cores - 1)) : setting;
}
