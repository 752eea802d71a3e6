import type http from 'node:http';

export interface BodyLimits {
  maxBytes: number;
  /** How deeply JSON arrays and objects may nest; a GraphQL request needs a handful of levels. */
  maxDepth: number;
}

export type BodyOutcome = { ok: true; body: Buffer } | { ok: false; status: 400 | 413; code: string; message: string };

const openers = new Set([0x5b, 0x7b]); // [ {
const closers = new Set([0x5d, 0x7d]); // ] }
const quote = 0x22;
const backslash = 0x5c;

/**
 * Reads a request body before anything parses it, refusing one larger than `maxBytes` (by its
 * Content-Length before a byte is read, or as it arrives) or nested deeper than `maxDepth`, so a
 * client cannot make the server hold or parse more than it allows. The depth is counted on the raw
 * bytes, outside JSON strings.
 */
export function readBody(req: http.IncomingMessage, limits: BodyLimits): Promise<BodyOutcome> {
  const tooLarge = { ok: false, status: 413, code: 'PAYLOAD_TOO_LARGE', message: `The request body is larger than the ${limits.maxBytes} bytes allowed; send smaller batches.` } as const;
  if (Number(req.headers['content-length'] ?? 0) > limits.maxBytes) return Promise.resolve(tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let depth = 0;
    let inString = false;
    let escaped = false;
    const stop = (outcome: BodyOutcome) => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.pause();
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) return stop(tooLarge);
      for (const byte of chunk) {
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === backslash) escaped = true;
          else if (byte === quote) inString = false;
        } else if (byte === quote) inString = true;
        else if (openers.has(byte)) {
          if (++depth > limits.maxDepth) {
            return stop({ ok: false, status: 400, code: 'BAD_USER_INPUT', message: `The request body nests deeper than ${limits.maxDepth} levels.` });
          }
        } else if (closers.has(byte)) depth--;
      }
      chunks.push(chunk);
    };
    const onEnd = () => stop({ ok: true, body: Buffer.concat(chunks, size) });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', () => stop({ ok: false, status: 400, code: 'BAD_REQUEST', message: 'The request body could not be read.' }));
  });
}

/** A refusal in the shape GraphQL clients read, closing the connection: the rest of the body is not read. */
export function refuse(res: http.ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' }).end(body, () => res.socket?.destroy());
}
