/** A worker thread that maps a packed retrieval index from the buffer it is given and answers searches. */
import { parentPort, workerData } from 'node:worker_threads';
import { RetrievalIndex } from '../../../src/nlu/retrieval-index.ts';

const { buffer, queries, k } = workerData as { buffer: SharedArrayBuffer; queries: Array<Array<[number, number]>>; k: number };
const index = RetrievalIndex.fromBuffer(buffer);
parentPort!.postMessage({
  shared: buffer instanceof SharedArrayBuffer,
  postingsShared: index.postWeights.buffer === buffer,
  results: queries.map((q) => index.search(new Map(q), k)),
});
