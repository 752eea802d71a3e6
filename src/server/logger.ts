import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout. Anything that could carry a secret is redacted before it is written. */
export function createLogger(options: { level?: string } = {}): Logger {
  return pino({
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: 'driftwatch' },
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'password', '*.password', 'url', '*.url', 'key', '*.key'],
      censor: '***',
    },
  });
}
