/**
 * What the YAML of each knowledge file said, as plain data, by a digest of the file's text, kept on disk
 * (`knowledge-yaml-v1.json` in MODEL_CACHE_DIR): a restart on unchanged files reads this one JSON file instead
 * of parsing every YAML file again (at 10,000 entries YAML parsing takes seconds, JSON.parse a tenth of one).
 * Only the YAML step is skipped: the data is validated against the schema on every load, so a newer schema
 * still judges it, and a file whose data fails validation is parsed again for its line numbers.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Bumped when what a file's data looks like in the cache changes. */
const FORMAT = 1;

export class YamlDataCache {
  private readonly known: Map<string, unknown>;
  private readonly used = new Map<string, unknown>();
  private changed = false;

  /** Reads `file` if it is there and readable; a missing or damaged cache is an empty one. */
  constructor(private readonly file: string) {
    this.known = new Map(YamlDataCache.read(file));
  }

  private static read(file: string): Array<[string, unknown]> {
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; files?: unknown };
      if (stored.format !== FORMAT || typeof stored.files !== 'object' || stored.files === null) return [];
      return Object.entries(stored.files);
    } catch {
      return [];
    }
  }

  /** The data a file with this digest parsed to, if known. */
  get(digest: string): unknown {
    if (!this.known.has(digest)) return undefined;
    const data = this.known.get(digest);
    this.used.set(digest, data);
    return data;
  }

  /** Records what a file with this digest parsed to. */
  set(digest: string, data: unknown): void {
    this.used.set(digest, data);
    this.changed = true;
  }

  /** Writes the files used in this load (and no others) when anything changed; a failure to write is not an error. */
  save(): void {
    if (!this.changed && this.used.size === this.known.size) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ format: FORMAT, files: Object.fromEntries(this.used) }), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch {
      // A cache that cannot be written only costs the next start its YAML parsing.
    }
  }
}
