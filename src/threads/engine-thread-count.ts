/** How many engine threads ENGINE_THREADS asks for on this machine. */
import { availableParallelism } from 'node:os';

/**
 * `auto`: one fewer than the cores, at least two and at most four (none on one core). Two at least: while
 * one thread pauses for a full garbage collection of its model (about 0.1 s), the other answers.
 */
export function engineThreadCount(setting: 'auto' | number, cores = availableParallelism()): number {
  if (setting !== 'auto') return setting;
  return cores <= 1 ? 0 : Math.max(2, Math.min(4, cores - 1));
}
