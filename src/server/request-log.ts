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
  const started = new WeakMap<Request, { id: string; at: number; operation?: string; codes?: string[] }>();
  return {
    onRequest({ request }) {
      const given = request.headers.get('x-request-id');
      started.set(request, { id: given && acceptedId.test(given) ? given : crypto.randomUUID(), at: performance.now() });
    },
    onParams({ params, request }) {
      const entry = started.get(request);
      if (entry && typeof params.operationName === 'string') entry.operation = params.operationName.slice(0, 100);
    },
    // A client's mistakes are answers, not faults: their codes go on the request's one line.
    onResultProcess({ request, result }) {
      const entry = started.get(request);
      if (!entry) return;
      for (const single of Array.isArray(result) ? result : [result]) {
        for (const error of (single as { errors?: readonly { extensions?: { code?: unknown } }[] }).errors ?? []) {
          const code = error.extensions?.code;
          if (typeof code === 'string' && !(entry.codes ??= []).includes(code)) entry.codes.push(code);
        }
      }
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
          ...(entry.operation && { operation: entry.operation }),
          status: response.status,
          ...(entry.codes && { codes: entry.codes }),
          ms: Math.round((performance.now() - entry.at) * 10) / 10,
        },
        'request',
      );
    },
  };
}
