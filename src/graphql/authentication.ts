import crypto from 'node:crypto';
import type { ApiKey, ApiScope } from '../config.js';

export interface Principal {
  name: string;
  scopes: ApiScope[];
}

// Keys are compared as SHA-256 digests: equal length always, so timingSafeEqual applies and the
// comparison takes the same time whatever the key's length or first differing character.
const digest = (value: string) => crypto.createHash('sha256').update(value).digest();

/** The holder of the bearer key in an Authorization header, or null. Every key is checked. */
export function authenticate(keys: readonly ApiKey[], authorization: string | null): Principal | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return null;
  const presented = digest(match[1]!);
  let found: ApiKey | null = null;
  for (const key of keys) {
    if (crypto.timingSafeEqual(presented, digest(key.key)) && found === null) found = key;
  }
  return found && { name: found.name, scopes: found.scopes };
}
