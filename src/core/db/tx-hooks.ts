import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely } from 'kysely';

// The same handle type as db.ts's AnyDb (not imported from there: db.ts imports this file).
type AnyDb = Kysely<any>;

/**
 * Work a request asks to have done inside every transaction it opens, just before the commit:
 * the Idempotency-Key's answer is stored there, so it exists if and only if the write does
 * (decisions.md). Set for the span of a route handler with `txHooks.run(hook, …)`; a job that
 * must not carry the request's hook (a group of several callers' events) runs under
 * `txHooks.exit(…)`.
 */
export interface TxHook {
  beforeCommit(tx: AnyDb, result: unknown): Promise<void>;
  /** the answer the request will give, named by a service whose transaction returns something else */
  answer?(tx: AnyDb, value: unknown): Promise<void>;
}
export const txHooks = new AsyncLocalStorage<TxHook>();

/**
 * For a service whose transaction's result is not what the request answers: names the answer
 * inside the transaction (a no-op outside a request that asked for it).
 */
export async function answerWith(tx: AnyDb, value: unknown) {
  await txHooks.getStore()?.answer?.(tx, value);
}

type Builder = { execute<T>(fn: (tx: AnyDb) => Promise<T>): Promise<T> };

function hooked<B extends object>(builder: B, hook: TxHook): B {
  return new Proxy(builder, {
    get(target, prop, receiver) {
      if (prop === 'execute') {
        return <T>(fn: (tx: AnyDb) => Promise<T>) =>
          (target as unknown as Builder).execute(async (tx) => {
            const result = await fn(tx);
            await hook.beforeCommit(tx, result);
            return result;
          });
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      // setIsolationLevel() and the like answer a new builder: it keeps the hook.
      return (...args: unknown[]) => {
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        return out && typeof out === 'object' && 'execute' in out ? hooked(out, hook) : out;
      };
    },
  });
}

/** Makes `db.transaction()` run the current request's hook (if any) before each commit. */
export function withTxHooks(db: AnyDb): AnyDb {
  const original = db.transaction.bind(db);
  (db as { transaction: typeof original }).transaction = () => {
    const builder = original();
    const hook = txHooks.getStore();
    return hook ? hooked(builder, hook) : builder;
  };
  return db;
}
