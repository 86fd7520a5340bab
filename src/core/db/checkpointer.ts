import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/**
 * SQLite in WAL mode folds the log back into the database file at checkpoints, and by default
 * the connection that commits does it, inside the request that happened to cross the
 * threshold: copying megabytes and syncing the file while that request waits (half a second
 * of every 100,000 people imported, bench/people). Here a worker thread with its own
 * connection runs passive checkpoints instead: they never block the server's reads or writes,
 * and they use the second core. It looks every quarter second while the log stands still and
 * every 10 ms from the moment it moves until it has stood still for a quarter second, so a
 * busy server's pauses between bursts of writes find the log copied and its next write starts
 * it over. Looking only every quarter second, it missed most pauses: the log grew to the
 * connection's safety threshold (db.ts), whose checkpoint then held a redemption's commit
 * for 30–70 ms every few hundred redemptions (docs/performance.md, session 8).
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
let lastLog = -1;
let movedAt = 0;
const tick = () => {
  if (stopping) return;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r.log !== lastLog) movedAt = Date.now();
    lastLog = r.log;
  } catch { /* busy or the file is gone: next tick */ }
  // The log moved lately: the server is writing, so look again soon (a pause between its
  // writes then finds the log copied, and the next write starts it over).
  timer = setTimeout(tick, Date.now() - movedAt < workerData.everyMs ? workerData.busyMs : workerData.everyMs);
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

export function startCheckpointer(file: string, everyMs = 250, busyMs = 10): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, everyMs, busyMs, driver: require.resolve('better-sqlite3') },
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
