// Relay connections over the store's keyset pages: opaque cursors, checked page sizes, lazy totals.
import { z } from 'zod';
import { defaultPageSize, type Page, type PageRequest, type TimeCursor } from '../store/store.js';
import { isStorableInstant } from '../store/validation.js';
import { badUserInput } from './errors.js';

export const maxPageSize = 500;

export interface ConnectionArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}

export interface ConnectionResult<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: () => Promise<number>;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode<T>(cursor: string, schema: z.ZodType<T>, argument: string): T {
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw badUserInput(`${argument}: "${cursor.slice(0, 100)}" is not a cursor this connection gave out`);
  }
}

const timeCursor = z.object({ t: z.number().int().refine((t) => isStorableInstant(new Date(t))), i: z.number().int().positive() }).strict();
const nameCursor = z.object({ n: z.string() }).strict();

export const timeCursors = {
  encode: (at: Date, id: number) => encode({ t: at.getTime(), i: id }),
  decode: (cursor: string, argument: string): TimeCursor => {
    const { t, i } = decode(cursor, timeCursor, argument);
    return { at: new Date(t), id: i };
  },
};

export const nameCursors = {
  encode: (name: string) => encode({ n: name }),
  decode: (cursor: string, argument: string) => decode(cursor, nameCursor, argument).n,
};

function checkSize(value: number | null | undefined, argument: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > maxPageSize) {
    throw badUserInput(`${argument} must be a whole number from 0 to ${maxPageSize}, got ${value}`);
  }
  return value;
}

/** Validates Relay arguments into the store's page request; forwards by default. */
export function pageRequest(args: ConnectionArgs): PageRequest<TimeCursor> {
  const first = checkSize(args.first, 'first');
  const last = checkSize(args.last, 'last');
  if (first !== undefined && last !== undefined) throw badUserInput('Use first/after or last/before, not both');
  if (last !== undefined || (args.before && first === undefined)) {
    return { last: last ?? defaultPageSize, before: args.before ? timeCursors.decode(args.before, 'before') : undefined };
  }
  return { first: first ?? defaultPageSize, after: args.after ? timeCursors.decode(args.after, 'after') : undefined };
}

export function namePageRequest(args: ConnectionArgs): { first: number; after?: string } {
  if (args.last != null || args.before != null) throw badUserInput('This connection pages forward only: use first/after');
  const first = checkSize(args.first, 'first') ?? defaultPageSize;
  return args.after ? { first, after: nameCursors.decode(args.after, 'after') } : { first };
}

/** Query cost of a connection: its own work plus its page size times what each node selects. */
export function connectionComplexity(args: ConnectionArgs): { field: number; multiplier: number } {
  // Capped at the largest page, so an oversized `first` reaches the clearer page-size error.
  return { field: 2, multiplier: Math.min(args.first ?? args.last ?? defaultPageSize, maxPageSize) };
}

export function toConnection<T>(page: Page<T>, cursorOf: (item: T) => string, totalCount: () => Promise<number>): ConnectionResult<T> {
  const edges = page.items.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}
