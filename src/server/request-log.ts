import crypto from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from './logger.js';

const acceptedId = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * One JSON log line per request with a request id (the caller's `x-request-id` when it is sane,
 * else a new one, echoed back). Bodies, variables and headers are never logged: they carry
 * measurements and keys.
 */
export function useRequestLog(logger: Logger): Plugin {
  const started = new WeakMap<Request, { id: string; at: number }>();
  return {
    onRequest({ request }) {
      const given = request.headers.get('x-request-id');
      started.set(request, { id: given && acceptedId.test(given) ? given : crypto.randomUUID(), at: performance.now() });
    },
    onResponse({ request, response }) {
      const entry = started.get(request);
      if (!entry) return;
      response.headers.set('x-request-id', entry.id);
      logger.info(
        {
          requestId: entry.id,
          method: request.method,
          path: new URL(request.url).pathname,
          status: response.status,
          ms: Math.round((performance.now() - entry.at) * 10) / 10,
        },
        'request',
      );
    },
  };
}
