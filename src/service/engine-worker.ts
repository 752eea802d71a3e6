import { Worker } from 'node:worker_threads';
import type { TestsAnalysed, TestsToAnalyze } from '../drift/analyze-tests.js';
import type { DriftSettings } from '../drift/settings.js';
import type { EngineRequest } from './engine-thread.js';

type Reply = { id: number; output: TestsAnalysed } | { id: number; error: unknown };

/**
 * The engine on a second thread, so a full pass folds one batch while the main thread saves the
 * previous one and the database reads the next. One thread per process, started at first use;
 * it never keeps the process alive, and one that dies is replaced at the next batch.
 */
export class EngineWorker {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (output: TestsAnalysed) => void; reject: (error: unknown) => void }>();

  /** Whether the thread is up (or starting): analysis there no longer waits for it to load. */
  get started(): boolean {
    return this.worker !== null;
  }

  /**
   * Starts the thread ahead of the first pass. A server does, so that no pass, however small,
   * analyses on the thread that answers requests; the CLI does not, and its one-batch passes skip
   * the thread's start-up.
   */
  prepare(): void {
    this.start();
  }

  analyze(input: TestsToAnalyze, settings: DriftSettings): Promise<TestsAnalysed> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, input, settings } satisfies EngineRequest);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./engine-thread.mjs', import.meta.url));
    worker.unref();
    worker.on('message', ({ id, ...reply }: Reply) => {
      const waiting = this.pending.get(id);
      this.pending.delete(id);
      // Idle between passes: an unreferenced thread lets the process end.
      if (this.pending.size === 0) worker.unref();
      if ('output' in reply) waiting?.resolve(reply.output);
      else waiting?.reject(reply.error);
    });
    const fail = (error: unknown) => {
      if (this.worker === worker) this.worker = null;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the engine thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

/** The one engine thread of this process. */
export const engineWorker = new EngineWorker();
