/** better-sqlite3 answers synchronously: its repositories implement the ports' synchronous shape and are wrapped into the async ports here. */

/** The synchronous shape of an async repository port: each `Promise<R>` method returns `R`. */
export type Synchronous<P> = {
  [K in keyof P]: P[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : P[K];
};

/**
 * The async port of a synchronous repository. Before each call `gate` says whether it must wait (a promise
 * to wait for, then ask again) or may run now (null): calls outside a unit of work wait while a batch
 * transaction is open, so they never join it.
 */
export function asynchronous<P extends object>(repo: Synchronous<P>, gate: () => Promise<void> | null): P {
  const port: Record<string, unknown> = {};
  for (const name of methodNames(repo)) {
    const method = (repo as Record<string, (...args: unknown[]) => unknown>)[name]!;
    const call = (args: unknown[]): Promise<unknown> => {
      const wait = gate();
      if (wait) return wait.then(() => call(args));
      try {
        return Promise.resolve(method.apply(repo, args));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    };
    port[name] = (...args: unknown[]) => call(args);
  }
  return port as P;
}

function methodNames(object: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(object) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== 'constructor' && typeof (object as Record<string, unknown>)[name] === 'function') names.add(name);
    }
  }
  return [...names];
}
