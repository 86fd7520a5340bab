import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/**
 * SQLite in WAL mode folds the log back into the database file at checkpoints, and by default
 * the connection that commits does it, inside the request that happened to cross the
 * threshold: copying megabytes and syncing the file while that request waits (half a second
 * of every 100,000 people imported, bench/people). Here a worker thread with its own
 * connection runs passive checkpoints every quarter second instead: they never block the
 * server's reads or writes, and they use the second core. The server's connection keeps a
 * high automatic threshold as a safety net in case the worker falls behind or dies.
 */
export interface Checkpointer {
  stop(): Promise<void>;
}

// Plain JavaScript run as the worker's source, so it needs no TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 0');
let stopping = false;
const tick = () => {
  if (stopping) return;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or the file is gone: next tick */ }
  timer = setTimeout(tick, workerData.everyMs);
};
let timer = setTimeout(tick, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  stopping = true;
  clearTimeout(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

export function startCheckpointer(file: string, everyMs = 250): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, everyMs, driver: require.resolve('better-sqlite3') },
    // The worker runs plain JavaScript: none of the parent's loader flags.
    execArgv: [],
  });
  worker.unref();
  // A checkpointer that fails leaves the safety net in place; it must never take the server down.
  worker.on('error', () => {});
  return {
    async stop() {
      if (worker.threadId === -1) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
