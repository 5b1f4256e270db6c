/**
 * Engine v2's cache files in MODEL_CACHE_DIR: `model-v2-<key>.bin` (the entry index, one buffer),
 * `model-v2-<key>.json` (its build time), `model-v2-<key>.kb.json` (its knowledge base, the base of live edits),
 * `intents-<key>.json`. Kept apart from the engine so that the main thread can read a cached index for its
 * threads without importing the engine.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** Bumped when engine v2's buffer or its intents' cache changes shape. */
const V2_CACHE_VERSION = 2;

/** The cache file key of engine v2 content (a knowledge base's hash, or intents with their vocabulary). */
export function v2Key(content: string): string {
  return createHash('sha256').update(`v2.${V2_CACHE_VERSION}\n${content}`).digest('hex').slice(0, 32);
}

/** The path, without its extension, of the cached index of the knowledge base with this hash. */
export function v2IndexBase(cacheDir: string, kbHash: string): string {
  return join(cacheDir, `model-v2-${v2Key(kbHash)}`);
}

/** The cached index's build time, or null when it is absent or unreadable. */
export function readV2Meta(base: string): number | null {
  try {
    const { trainMs } = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as { trainMs?: unknown };
    return typeof trainMs === 'number' ? trainMs : null;
  } catch {
    return null;
  }
}

/** The cached model buffer, read straight into a SharedArrayBuffer (no second copy), or null. */
export function readV2Buffer(base: string): SharedArrayBuffer | null {
  let fd: number | undefined;
  try {
    fd = openSync(`${base}.bin`, 'r');
    const size = fstatSync(fd).size;
    const shared = new SharedArrayBuffer(size);
    const bytes = new Uint8Array(shared);
    for (let at = 0; at < size; ) {
      const read = readSync(fd, bytes, at, size - at, at);
      if (read === 0) return null;
      at += read;
    }
    return shared;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The cached index of the knowledge base with this hash, when the cache has a complete one. */
export function cachedV2Index(cacheDir: string, kbHash: string): SharedArrayBuffer | null {
  const base = v2IndexBase(cacheDir, kbHash);
  return readV2Meta(base) === null ? null : readV2Buffer(base);
}
