import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { inverseDocumentFrequency, RetrievalIndex, RetrievalIndexBuilder, type SearchHit } from '../../src/nlu/retrieval-index.ts';

/** Documents and queries over term hashes 1 to 9, some terms with weighted (fractional) counts. */
const DOCS: Array<Map<number, number>> = [
  new Map([[1, 1], [2, 2], [3, 0.5]]),
  new Map([[2, 1], [4, 3]]),
  new Map([[1, 0.3], [5, 1], [6, 1]]),
  new Map([[3, 2], [4, 1], [7, 1.5]]),
  new Map([[2, 1], [8, 1]]),
  new Map([[9, 4]]),
  new Map(),
];

const QUERIES: Array<Map<number, number>> = [
  new Map([[1, 1], [2, 1]]),
  new Map([[4, 2], [7, 0.5], [99, 1]]),
  new Map([[2, 1]]),
  new Map([[5, 1], [9, 1], [3, 0.3]]),
];

/** Cosine over dense vectors, computed the plain way: sublinear tf x smoothed idf, unknown terms at the highest idf. */
function naiveRanking(docs: Array<Map<number, number>>, query: Map<number, number>): SearchHit[] {
  const tf = (c: number) => (c > 1 ? 1 + Math.log(c) : c);
  const df = new Map<number, number>();
  for (const d of docs) for (const t of d.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: number) => Math.log((docs.length + 1) / ((df.get(t) ?? 0) + 1)) + 1;
  const vector = (m: Map<number, number>) => new Map([...m].map(([t, c]) => [t, tf(c) * idf(t)]));
  const norm = (v: Map<number, number>) => Math.sqrt([...v.values()].reduce((s, x) => s + x * x, 0));
  const q = vector(query);
  return docs
    .map((d, id) => {
      const v = vector(d);
      let dot = 0;
      for (const [t, w] of q) dot += w * (v.get(t) ?? 0);
      return { id, score: dot === 0 ? 0 : dot / (norm(q) * norm(v)) };
    })
    .filter((h) => h.score > 0)
    .sort((a, b) => b.score - a.score || a.id - b.id);
}

function expectSameRanking(actual: SearchHit[], expected: SearchHit[]): void {
  expect(actual.map((h) => h.id)).toEqual(expected.map((h) => h.id));
  actual.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i]!.score, 6));
}

describe('retrieval index', () => {
  const index = RetrievalIndex.build(DOCS);

  it('ranks documents by the same cosine as a naive computation', () => {
    for (const query of QUERIES) expectSameRanking(index.search(query, 10), naiveRanking(DOCS, query));
  });

  it('returns only the k best, and nothing for a query of unknown terms', () => {
    expectSameRanking(index.search(QUERIES[0]!, 2), naiveRanking(DOCS, QUERIES[0]!).slice(0, 2));
    expect(index.search(new Map([[1234, 1]]), 5)).toEqual([]);
  });

  it('gives the same results on a second search (the score accumulator is reset)', () => {
    const first = QUERIES.map((q) => index.search(q, 10));
    expect(QUERIES.map((q) => index.search(q, 10))).toEqual(first);
  });

  it('never returns a hidden document, and ranks the rest as before', () => {
    const hidden = new Set([0, 4]);
    for (const query of QUERIES) {
      const hits = index.search(query, 10, { hidden: (d) => hidden.has(d) });
      expectSameRanking(hits, naiveRanking(DOCS, query).filter((h) => !hidden.has(h.id)));
    }
  });

  it('ranks groups of documents by their best document', () => {
    const of = Uint32Array.from([0, 0, 1, 1, 2, 2, 2]);
    const byDoc = naiveRanking(DOCS, QUERIES[0]!);
    const best = new Map<number, number>();
    for (const h of byDoc) best.set(of[h.id]!, Math.max(best.get(of[h.id]!) ?? 0, h.score));
    const expected = [...best].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
    expectSameRanking(index.search(QUERIES[0]!, 10, { groups: { of, count: 3 } }), expected);
  });

  it('under a postings budget reads the rarest terms and leaves out the common ones', () => {
    // Term 1 is in one document, term 2 in the other fifty.
    const docs = [new Map([[1, 1]]), ...Array.from({ length: 50 }, (_, i) => new Map([[2, 1], [100 + i, 1]]))];
    const big = RetrievalIndex.build(docs);
    const query = new Map([[1, 1], [2, 1]]);
    expect(big.search(query, 100, { budget: 10 }).map((h) => h.id)).toEqual([0]);
    expect(big.search(query, 100, { budget: 51 })).toHaveLength(51);
    // A query whose only term is common still reads it.
    expect(big.search(new Map([[2, 1]]), 100, { budget: 10 })).toHaveLength(50);
  });

  it('adds the terms the budget left out to the best documents, so a common term still tells near twins apart', () => {
    // Documents 0 and 1 share the rare term 1; only document 1 has the common term 2, as do fifty others.
    const docs = [new Map([[1, 1]]), new Map([[1, 1], [2, 1]]), ...Array.from({ length: 50 }, (_, i) => new Map([[2, 1], [100 + i, 1]]))];
    const twins = RetrievalIndex.build(docs);
    const query = new Map([[1, 1], [2, 1]]);
    const hits = twins.search(query, 2, { budget: 2 });
    expectSameRanking(hits, naiveRanking(docs, query).slice(0, 2));
    expect(hits.map((h) => h.id)).toEqual([1, 0]);
  });

  it('scores an overlay built with the base idf as the base scores the same documents', () => {
    // Documents 0 and 3 copied into an overlay, with document 5 whose term 10 the base does not know.
    const overlay = new RetrievalIndexBuilder();
    for (const doc of [DOCS[0]!, DOCS[3]!, new Map([[10, 1]])]) overlay.add(doc);
    const built = overlay.build({ idfFrom: index });
    expect(built.idfOf(10)).toBeCloseTo(inverseDocumentFrequency(1, DOCS.length), 6);
    for (const query of QUERIES) {
      const hits = built.search(query, 10, { queryIdf: (h) => index.idfOf(h) });
      const base = new Map(index.search(query, 10).map((h) => [h.id, h.score]));
      for (const h of hits) expect(h.score).toBeCloseTo(base.get([0, 3][h.id]!)!, 6);
    }
  });

  it('gives identical results after a round trip through one packed buffer', () => {
    const copy = RetrievalIndex.fromBuffer(index.toBuffer());
    expect(copy.docCount).toBe(index.docCount);
    for (const query of QUERIES) expect(copy.search(query, 10)).toEqual(index.search(query, 10));
  });

  it('gives identical results when a worker thread maps the index from a SharedArrayBuffer', async () => {
    const buffer = index.toBuffer({ shared: true });
    const tsx = import.meta.resolve('tsx/esm/api');
    const module = new URL('./support/retrieval-worker.ts', import.meta.url).href;
    const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(module)}); });`;
    const worker = new Worker(code, { eval: true, workerData: { buffer, queries: QUERIES.map((q) => [...q]), k: 10 } });
    try {
      const reply = await new Promise<{ shared: boolean; postingsShared: boolean; results: SearchHit[][] }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(reply.shared).toBe(true);
      expect(reply.postingsShared).toBe(true);
      expect(reply.results).toEqual(QUERIES.map((q) => index.search(q, 10)));
    } finally {
      await worker.terminate();
    }
  });
});

describe('holds', () => {
  it('tells whether a document has a term', () => {
    const index = RetrievalIndex.build([new Map([[11, 1], [12, 2]]), new Map([[12, 1]]), new Map([[13, 1]])]);
    expect(index.holds(0, 11)).toBe(true);
    expect(index.holds(1, 12)).toBe(true);
    expect(index.holds(1, 11)).toBe(false);
    expect(index.holds(2, 12)).toBe(false);
    expect(index.holds(0, 99)).toBe(false);
  });
});

describe('term lookup', () => {
  it('finds every term wherever its hash lies in the 32-bit range, and no other', () => {
    const hashes = [0, 1, 0xffff, 0x10000, 0x10001, 0x7fffffff, 0x80000000, 0xfffeffff, 0xffff0000, 0xffffffff];
    const index = RetrievalIndex.build(hashes.map((h, i) => new Map([[h, 1], [0x12345678, i + 1]])));
    for (const h of hashes) expect(index.docFrequency(h)).toBe(1);
    expect(index.docFrequency(0x12345678)).toBe(hashes.length);
    for (const h of [2, 0xfffe, 0x10002, 0x80000001, 0xfffffffe, 0xffff0001]) expect(index.docFrequency(h)).toBe(0);
    expect(index.search(new Map([[0xffffffff, 1]]), 3).map((hit) => hit.id)).toEqual([hashes.indexOf(0xffffffff)]);
  });
});
