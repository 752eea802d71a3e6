import { badUserInput } from './errors.js';

export const nodeTypes = ['Measurement', 'DriftAnalysis', 'DriftAlert'] as const;

/** Global ids are base64url("Type:key"); anything else is the client's mistake, said as such. */
export const globalIds = {
  encode: (typename: string, id: string | number | bigint) => Buffer.from(`${typename}:${id}`).toString('base64url'),
  decode: (globalId: string) => {
    const text = Buffer.from(globalId, 'base64url').toString('utf8');
    const colon = text.indexOf(':');
    const typename = text.slice(0, colon);
    if (colon < 1 || !(nodeTypes as readonly string[]).includes(typename)) {
      throw badUserInput(`"${globalId.slice(0, 100)}" is not an id this API gave out`);
    }
    return { typename, id: text.slice(colon + 1) };
  },
};

/** The numeric key of a stored row, or null for a key that cannot be one. */
export function storedId(key: string): number | null {
  return /^[1-9]\d{0,15}$/.test(key) ? Number(key) : null;
}

/**
 * Loads stored rows for node keys, one value per key in the order asked (DataLoader's contract):
 * null for a key that is not a stored id or names no row.
 */
export async function loadStored<T extends { id: number }>(keys: readonly string[], fetch: (ids: number[]) => Promise<T[]>): Promise<(T | null)[]> {
  const ids = keys.map(storedId);
  const rows = await fetch(ids.filter((id): id is number => id !== null));
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => (id === null ? null : (byId.get(id) ?? null)));
}
