import { databaseBusy } from '../store/errors.js';
import type { Store } from '../store/store.js';

// How long a write that failed for a full disk keeps /ready saying so. Not until the next write
// succeeds: a balancer that stops sending traffic to an unready instance would never let one come.
const diskFullHoldMs = 30_000;

const writes = new Set<keyof Store>(['recordMeasurement', 'recordMeasurements', 'saveAnalyses', 'markAnalyzed', 'createAlert', 'createAlerts', 'acknowledgeAlert', 'cleanup', 'importRows']);

export interface Readiness {
  /** The store to hand out: it reports how its writes fare. */
  watch(store: Store): Store;
  /** What /ready answers. */
  check(): Promise<{ ready: boolean; status: string }>;
}

/** /ready: the database answers on a connection of its own, and its disk took the last write. */
export function createReadiness(store: Store, clock: () => number = Date.now): Readiness {
  let diskFullAt: number | null = null;
  return {
    watch: (inner) =>
      new Proxy(inner, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (typeof value !== 'function') return value;
          if (!writes.has(key as keyof Store)) return value.bind(target);
          return async (...args: unknown[]) => {
            try {
              const result = await value.apply(target, args);
              diskFullAt = null;
              return result;
            } catch (error) {
              if (databaseBusy(error) === 'disk-full') diskFullAt = clock();
              throw error;
            }
          };
        },
      }),
    check: async () => {
      if (diskFullAt !== null && clock() - diskFullAt < diskFullHoldMs) return { ready: false, status: 'disk full' };
      try {
        await store.ping();
        return { ready: true, status: 'ready' };
      } catch {
        return { ready: false, status: 'database unavailable' };
      }
    },
  };
}
