// The task of the WAL checkpoint thread (WalCheckpointer): copies committed pages from the WAL into the
// database file on a connection of its own, so the checkpoint's writes and fsyncs never run on the main
// thread. PASSIVE never waits for readers or the writer. Plain JavaScript: worker threads do not inherit the
// tsx loader.
import { clearInterval, setInterval } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, intervalMs } = workerData;
const db = new Database(path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');

const timer = setInterval(() => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ kind: 'checkpointed', walPages: result.log, copied: result.checkpointed });
  } catch (err) {
    parentPort.postMessage({ kind: 'failed', error: err instanceof Error ? err.message : String(err) });
  }
}, intervalMs);

parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
