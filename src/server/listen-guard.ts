import net from 'node:net';
import type { Config } from '../config.js';

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

/** Reachable from other machines with no API keys: refuse unless the operator says so. */
export function anonymousExposureProblem(config: Config): string | null {
  if (isLoopback(config.server.host) || config.api.keys.length > 0 || config.api.allowAnonymous) return null;
  return (
    `refusing to listen on ${config.server.host} without authentication: ` +
    'set DRIFT_API_KEYS (name:key:scopes), or DRIFT_ALLOW_ANONYMOUS=true to accept anonymous access'
  );
}
