/**
 * A TF-IDF retrieval index in compressed sparse rows of flat typed arrays: the sorted unique term hashes,
 * each term's start in the postings, the postings' documents and weights (sublinear tf x idf, every
 * document L2-normalised) and each term's idf. A search scores documents by cosine with the query.
 */
import { GrowableFloat32, GrowableUint32 } from './growable-array.ts';
import { packArrays, PackedArrays, type PackableArray } from './packed-arrays.ts';
import { TopK } from './top-k.ts';

/**
 * How many postings a search reads at most: its terms are visited rarest first until this many were read.
 * 4,000 and 64 rescored documents (instead of 12,000 and 256) answer the Taipei scale cases 1.3-1.6 times
 * faster with the same answers right (1,000 x 20 and 10,000 x 12), and change nothing on the public sets
 * and the project's own, whose indexes are small enough that no budget binds.
 */
export const POSTINGS_BUDGET = 4_000;

/**
 * When the budget leaves terms out, how many of the best documents so far get them added (by a search of
 * each left-out term's postings for those documents only), so that a common term still tells apart near
 * twins (the same question about two districts).
 */
export const RESCORE_CANDIDATES = 64;

export interface SearchHit {
  /** The document, or its group when the search groups documents. */
  id: number;
  /** Cosine of the query with the document (with the group's best document). */
  score: number;
}

export interface SearchOptions {
  /** Documents never to return (an edited or retired entry's). */
  hidden?: (doc: number) => boolean;
  /** Postings to read at most (POSTINGS_BUDGET by default). */
  budget?: number;
  /** Documents that get the terms the budget left out (RESCORE_CANDIDATES by default). */
  rescore?: number;
  /** Ranks groups of documents by their best document instead of documents: `of[doc]` is the doc's group. */
  groups?: { of: Uint32Array; count: number };
  /** The idf to weigh every query term by (this index's own by default): an overlay's base's, so their scores compare. */
  queryIdf?: (hash: number) => number;
}

export interface BuildOptions {
  /**
   * An index whose idf the new one takes (an overlay's base), so that their cosines compare: a term the
   * base knows gets the base's idf, any other the idf a term of document frequency 1 would have in the base.
   */
  idfFrom?: RetrievalIndex;
}

/** Sublinear term frequency: 1 + ln(count) from one occurrence on, the count itself below (weighted kinds). */
export function sublinearTf(count: number): number {
  return count > 1 ? 1 + Math.log(count) : count;
}

/** Smoothed inverse document frequency; a term no document has gets the highest, ln(docs + 1) + 1. */
export function inverseDocumentFrequency(docFrequency: number, docCount: number): number {
  return Math.log((docCount + 1) / (docFrequency + 1)) + 1;
}

/** Collects documents as flat arrays of (term, count), then builds the index in a few linear passes and one sort. */
export class RetrievalIndexBuilder {
  private readonly hashes = new GrowableUint32();
  private readonly counts = new GrowableFloat32();
  private readonly docEnds = new GrowableUint32();

  /** Adds a document (term hash to weighted count); returns its id. The map is not kept. */
  add(terms: ReadonlyMap<number, number>): number {
    for (const [hash, count] of terms) {
      if (count <= 0) continue;
      this.hashes.push(hash);
      this.counts.push(count);
    }
    this.docEnds.push(this.hashes.length);
    return this.docEnds.length - 1;
  }

  get docCount(): number {
    return this.docEnds.length;
  }

  /** The documents added so far: (term, count) pairs, and where each document's pairs end. */
  documents(): { hashes: Uint32Array; counts: Float32Array; docEnds: Uint32Array } {
    return { hashes: this.hashes.view(), counts: this.counts.view(), docEnds: this.docEnds.view() };
  }

  build(options: BuildOptions = {}): RetrievalIndex {
    const hashes = this.hashes.view();
    const counts = this.counts.view();
    const docEnds = this.docEnds.view();
    const docCount = docEnds.length;

    const terms = uniqueSorted(hashes);
    const termOf = new Uint32Array(hashes.length);
    const offsets = new Uint32Array(terms.length + 1);
    for (let i = 0; i < hashes.length; i++) {
      const t = findTerm(terms, hashes[i]!);
      termOf[i] = t;
      offsets[t + 1]!++;
    }
    for (let t = 0; t < terms.length; t++) offsets[t + 1]! += offsets[t]!;
    const idf = new Float32Array(terms.length);
    const base = options.idfFrom;
    for (let t = 0; t < terms.length; t++) {
      if (!base) idf[t] = inverseDocumentFrequency(offsets[t + 1]! - offsets[t]!, docCount);
      else idf[t] = base.docFrequency(terms[t]!) > 0 ? base.idfOf(terms[t]!) : inverseDocumentFrequency(1, base.docCount);
    }

    const postDocs = new Uint32Array(hashes.length);
    const postWeights = new Float32Array(hashes.length);
    const cursor = offsets.slice(0, terms.length);
    let start = 0;
    for (let d = 0; d < docCount; d++) {
      const end = docEnds[d]!;
      let norm2 = 0;
      for (let i = start; i < end; i++) {
        const w = sublinearTf(counts[i]!) * idf[termOf[i]!]!;
        norm2 += w * w;
      }
      const norm = Math.sqrt(norm2);
      for (let i = start; i < end; i++) {
        const t = termOf[i]!;
        const p = cursor[t]!++;
        postDocs[p] = d;
        postWeights[p] = (sublinearTf(counts[i]!) * idf[t]!) / norm;
      }
      start = end;
    }
    return new RetrievalIndex(docCount, terms, offsets, postDocs, postWeights, idf);
  }
}

/**
 * For each document, the highest cosine with another document of its group in the index built from these
 * documents (`groupOf` ascending: a group's documents are consecutive), or NaN when its group has no other.
 * Pairwise within groups only: linear in the documents for groups of bounded size.
 */
export function nearestSiblingCosines(builder: RetrievalIndexBuilder, index: RetrievalIndex, groupOf: Uint32Array): Float32Array {
  const { hashes, counts, docEnds } = builder.documents();
  const nearest = new Float32Array(docEnds.length).fill(Number.NaN);
  const vectorOf = (d: number): Map<number, number> => {
    const vector = new Map<number, number>();
    let norm2 = 0;
    for (let i = d === 0 ? 0 : docEnds[d - 1]!; i < docEnds[d]!; i++) {
      const w = sublinearTf(counts[i]!) * index.idfOf(hashes[i]!);
      vector.set(hashes[i]!, w);
      norm2 += w * w;
    }
    const norm = Math.sqrt(norm2) || 1;
    for (const [h, w] of vector) vector.set(h, w / norm);
    return vector;
  };
  for (let start = 0; start < groupOf.length; ) {
    let end = start + 1;
    while (end < groupOf.length && groupOf[end] === groupOf[start]) end++;
    const vectors = [];
    for (let d = start; d < end; d++) vectors.push(vectorOf(d));
    for (let a = 0; a < vectors.length; a++) {
      for (let b = a + 1; b < vectors.length; b++) {
        let dot = 0;
        const [small, large] = vectors[a]!.size <= vectors[b]!.size ? [vectors[a]!, vectors[b]!] : [vectors[b]!, vectors[a]!];
        for (const [h, w] of small) dot += w * (large.get(h) ?? 0);
        if (!(nearest[start + a]! >= dot)) nearest[start + a] = dot;
        if (!(nearest[start + b]! >= dot)) nearest[start + b] = dot;
      }
    }
    start = end;
  }
  return nearest;
}

/** The array names of an index in a packed buffer, each after a prefix so several indexes share one buffer. */
const ARRAY_NAMES = ['meta', 'terms', 'offsets', 'postDocs', 'postWeights', 'idf'] as const;

export class RetrievalIndex {
  private scratch: { acc: Float64Array; touched: Uint32Array } | null = null;
  private groupScratch: { best: Float64Array; touched: Uint32Array } | null = null;
  /** Where the terms whose hash starts with each 16-bit prefix begin in `terms` (built at first lookup, 256 KB). */
  private directory: Uint32Array | null = null;

  constructor(
    readonly docCount: number,
    /** Unique term hashes, ascending. */
    readonly terms: Uint32Array,
    /** Postings of term t: offsets[t] to offsets[t + 1]. */
    readonly offsets: Uint32Array,
    readonly postDocs: Uint32Array,
    readonly postWeights: Float32Array,
    readonly idf: Float32Array,
  ) {}

  /** Builds an index of the documents in order (document i is the i-th map). */
  static build(docs: Iterable<ReadonlyMap<number, number>>): RetrievalIndex {
    const builder = new RetrievalIndexBuilder();
    for (const doc of docs) builder.add(doc);
    return builder.build();
  }

  get termCount(): number {
    return this.terms.length;
  }

  /** How many documents hold the term (0 when none). */
  docFrequency(hash: number): number {
    const t = this.termOf(hash);
    return t < 0 ? 0 : this.offsets[t + 1]! - this.offsets[t]!;
  }

  /** The term's idf; a term no document holds gets the highest. */
  idfOf(hash: number): number {
    const t = this.termOf(hash);
    return t < 0 ? inverseDocumentFrequency(0, this.docCount) : this.idf[t]!;
  }

  /** Whether document `doc` holds the term (a binary search of the term's postings). */
  holds(doc: number, hash: number): boolean {
    const t = this.termOf(hash);
    return t >= 0 && indexOfSorted(this.postDocs, doc, this.offsets[t]!, this.offsets[t + 1]!) >= 0;
  }

  /** The k documents (or groups) most similar to the query (term hash to weighted count), best first. */
  search(query: ReadonlyMap<number, number>, k: number, options: SearchOptions = {}): SearchHit[] {
    const budget = options.budget ?? POSTINGS_BUDGET;
    const unknownIdf = inverseDocumentFrequency(0, this.docCount);
    const queryIdf = options.queryIdf;
    const found: Array<{ t: number; w: number; df: number }> = [];
    let queryNorm2 = 0;
    for (const [hash, count] of query) {
      if (count <= 0) continue;
      const t = this.termOf(hash);
      const w = sublinearTf(count) * (queryIdf ? queryIdf(hash) : t < 0 ? unknownIdf : this.idf[t]!);
      queryNorm2 += w * w;
      if (t >= 0) found.push({ t, w, df: this.offsets[t + 1]! - this.offsets[t]! });
    }
    if (found.length === 0 || k <= 0) return [];
    found.sort((a, b) => a.df - b.df || a.t - b.t);

    const { acc, touched } = this.accumulator();
    const { offsets, postDocs, postWeights } = this;
    let touchedCount = 0;
    let visited = 0;
    let read = 0;
    for (; read < found.length; read++) {
      const { t, w, df } = found[read]!;
      if (visited > 0 && visited + df > budget) break;
      visited += df;
      for (let p = offsets[t]!, end = offsets[t + 1]!; p < end; p++) {
        const d = postDocs[p]!;
        if (acc[d] === 0) touched[touchedCount++] = d;
        acc[d]! += w * postWeights[p]!;
      }
    }

    const hidden = options.hidden;
    let pool: ArrayLike<number>;
    if (read < found.length) {
      // The best documents so far also get the terms the budget left out, found by galloping through their postings.
      const best = new TopK(options.rescore ?? RESCORE_CANDIDATES);
      for (let i = 0; i < touchedCount; i++) {
        const d = touched[i]!;
        if (!hidden?.(d)) best.offer(d, acc[d]!);
      }
      const candidates = best.ids().sort();
      for (let f = read; f < found.length; f++) addTerm(found[f]!, candidates, offsets, postDocs, postWeights, acc);
      pool = candidates;
    } else {
      pool = hidden ? touched.subarray(0, touchedCount).filter((d) => !hidden(d)) : touched.subarray(0, touchedCount);
    }

    const queryNorm = Math.sqrt(queryNorm2);
    const top = new TopK(k);
    if (options.groups) {
      const { best, touched: groupsTouched } = this.groupAccumulator(options.groups.count);
      let groupCount = 0;
      for (let i = 0; i < pool.length; i++) {
        const d = pool[i]!;
        const score = acc[d]! / queryNorm;
        const g = options.groups.of[d]!;
        if (best[g] === 0) groupsTouched[groupCount++] = g;
        if (score > best[g]!) best[g] = score;
      }
      for (let i = 0; i < groupCount; i++) {
        const g = groupsTouched[i]!;
        top.offer(g, best[g]!);
        best[g] = 0;
      }
    } else {
      for (let i = 0; i < pool.length; i++) top.offer(pool[i]!, acc[pool[i]!]! / queryNorm);
    }
    for (let i = 0; i < touchedCount; i++) acc[touched[i]!] = 0;
    return top.sorted();
  }

  /** The index's arrays under `prefix`, to pack with others. */
  toArrays(prefix = ''): Record<string, PackableArray> {
    const arrays: Record<(typeof ARRAY_NAMES)[number], PackableArray> = {
      meta: new Float64Array([this.docCount]),
      terms: this.terms,
      offsets: this.offsets,
      postDocs: this.postDocs,
      postWeights: this.postWeights,
      idf: this.idf,
    };
    return Object.fromEntries(ARRAY_NAMES.map((name) => [prefix + name, arrays[name]]));
  }

  /** The index whose arrays were packed under `prefix`; the arrays stay views into the packed buffer. */
  static fromArrays(packed: PackedArrays, prefix = ''): RetrievalIndex {
    return new RetrievalIndex(
      packed.float64(`${prefix}meta`)[0]!,
      packed.uint32(`${prefix}terms`),
      packed.uint32(`${prefix}offsets`),
      packed.uint32(`${prefix}postDocs`),
      packed.float32(`${prefix}postWeights`),
      packed.float32(`${prefix}idf`),
    );
  }

  /** The index as one buffer (a SharedArrayBuffer when `shared`). */
  toBuffer(options: { shared?: boolean } = {}): ArrayBuffer | SharedArrayBuffer {
    return packArrays(this.toArrays(), options);
  }

  /** Maps an index from a buffer made by toBuffer, without copying its arrays. */
  static fromBuffer(buffer: ArrayBuffer | SharedArrayBuffer): RetrievalIndex {
    return RetrievalIndex.fromArrays(PackedArrays.unpack(buffer));
  }

  /** The position of `hash` in `terms`, or -1: a binary search within the terms sharing its 16-bit prefix. */
  private termOf(hash: number): number {
    const directory = (this.directory ??= termDirectory(this.terms));
    const prefix = hash >>> 16;
    return indexOfSorted(this.terms, hash, directory[prefix]!, directory[prefix + 1]!);
  }

  /** Score accumulator and touched list, one per index object (per thread), zeroed after each search. */
  private accumulator(): { acc: Float64Array; touched: Uint32Array } {
    this.scratch ??= { acc: new Float64Array(this.docCount), touched: new Uint32Array(this.docCount) };
    return this.scratch;
  }

  private groupAccumulator(count: number): { best: Float64Array; touched: Uint32Array } {
    if (!this.groupScratch || this.groupScratch.best.length < count) {
      this.groupScratch = { best: new Float64Array(count), touched: new Uint32Array(count) };
    }
    return this.groupScratch;
  }
}

/**
 * Adds a term's contribution to the documents among `docs` (ascending) that hold it: its postings are
 * ascending by document, so each document is found by galloping on from the previous one.
 */
function addTerm(
  term: { t: number; w: number },
  docs: ArrayLike<number>,
  offsets: Uint32Array,
  postDocs: Uint32Array,
  postWeights: Float32Array,
  acc: Float64Array,
): void {
  let p = offsets[term.t]!;
  const end = offsets[term.t + 1]!;
  for (let i = 0; i < docs.length && p < end; i++) {
    const d = docs[i]!;
    if (postDocs[p]! < d) {
      let step = 1;
      let lo = p;
      while (p + step < end && postDocs[p + step]! < d) {
        lo = p + step;
        step *= 2;
      }
      let hi = Math.min(p + step, end);
      p = lo + 1;
      while (p < hi) {
        const mid = (p + hi) >>> 1;
        if (postDocs[mid]! < d) p = mid + 1;
        else hi = mid;
      }
      if (p >= end) return;
    }
    if (postDocs[p] === d) acc[d]! += term.w * postWeights[p]!;
  }
}

/** The distinct values of an array, ascending. */
function uniqueSorted(values: Uint32Array): Uint32Array {
  const sorted = values.slice().sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  return sorted.slice(0, n);
}

/** For each 16-bit prefix p, the first position in the ascending `terms` whose hash's prefix is at least p (65,537 entries). */
function termDirectory(terms: Uint32Array): Uint32Array {
  const directory = new Uint32Array(65_537);
  let t = 0;
  for (let prefix = 0; prefix <= 65_536; prefix++) {
    while (t < terms.length && terms[t]! >>> 16 < prefix) t++;
    directory[prefix] = t;
  }
  return directory;
}

/** The position of `hash` in the ascending `terms`, or -1. */
function findTerm(terms: Uint32Array, hash: number): number {
  return indexOfSorted(terms, hash, 0, terms.length);
}

/** Where `value` is in the ascending `values[from..to)`, by binary search, or -1. */
function indexOfSorted(values: Uint32Array, value: number, from: number, to: number): number {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = values[mid]!;
    if (v < value) lo = mid + 1;
    else if (v > value) hi = mid - 1;
    else return mid;
  }
  return -1;
}
