import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout. Anything that could carry a secret is redacted before it is written. */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  const settings = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: 'driftwatch' },
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'password', '*.password', 'url', '*.url', 'key', '*.key'],
      censor: '***',
    },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

// What may wait in memory for a reader that has stopped reading; past it, lines are dropped.
const maxBufferedLogBytes = 16 * 1024 * 1024;

export interface ServiceLog {
  logger: Logger;
  /** Writes out what is buffered, waiting at most `waitMs`, then lets go of stdout. */
  close(waitMs: number): Promise<void>;
}

/**
 * The server's log. Lines go out asynchronously: with synchronous writes a pipe whose reader stopped
 * reading (a log shipper that hung, or whose parent exited while another process kept the pipe)
 * blocks the whole process, SIGTERM handler and all. A broken pipe ends logging quietly (pino).
 */
export function createServiceLog(): ServiceLog {
  const destination = pino.destination({ dest: 1, sync: false, maxLength: maxBufferedLogBytes });
  return {
    logger: createLogger({ destination }),
    close: (waitMs) =>
      new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          // Destroyed, pino's exit hook does not try a blocking flush into a pipe nobody reads.
          destination.destroy();
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        destination.flush(() => done());
      }),
  };
}
