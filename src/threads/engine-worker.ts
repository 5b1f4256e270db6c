/** An engine thread: builds its own engine from the configured folders and answers the main thread's requests. */
import { parentPort, workerData } from 'node:worker_threads';
import { buildEngine } from '../bot-runtime.ts';
import type { Engine } from '../core/engine.ts';
import type { EngineThreadSettings, FromEngineThread, ToEngineThread } from './engine-protocol.ts';

const port = parentPort!;
const settings = workerData as EngineThreadSettings;
const post = (message: FromEngineThread): void => port.postMessage(message);
const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

let engine: Engine;
try {
  engine = await buildEngine(settings);
  post({ kind: 'ready' });
} catch (err) {
  post({ kind: 'failed', error: reason(err) });
  process.exit(1);
}

port.on('message', (request: ToEngineThread) => {
  if (request.kind === 'respond') {
    engine.respond(request.message, request.state).then(
      (turn) => post({ kind: 'turn', id: request.id, turn }),
      (err: unknown) => post({ kind: 'error', id: request.id, error: reason(err) }),
    );
  } else {
    buildEngine(settings).then(
      (next) => {
        engine = next;
        post({ kind: 'reloaded', id: request.id });
      },
      (err: unknown) => post({ kind: 'error', id: request.id, error: reason(err) }),
    );
  }
});
