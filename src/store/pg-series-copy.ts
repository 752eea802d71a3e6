// Analysis reads every point of a batch of tests. As text, PostgreSQL spent more formatting each
// double and instant than finding them, and Node as long again parsing them back. COPY's binary
// format sends them as their eight bytes; node-postgres reads query results only as text, so the
// rows come through COPY TO STDOUT (pg-copy-streams) and are decoded here. A row per test, its
// points aggregated into two arrays: a row per point cost Node more in per-message overhead than the
// text's parsing (1,000 tests of 100 points: 30-90 ms of CPU as arrays, 55-110 as text, 115-260 as rows).
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { TestPoints } from './sql-store.js';

/**
 * COPY takes no bound parameters, so the names and the instant go in as literals, quoted by the
 * driver's escapeLiteral. The two arrays of a row are aggregated over the same rows in the same order.
 */
export function seriesCopySql(testNames: readonly string[], since: Date | undefined): string {
  const names = testNames.map((name) => pg.escapeLiteral(name)).join(', ');
  const after = since === undefined ? '' : ` and "timestamp" >= ${pg.escapeLiteral(since.toISOString())}::timestamptz`;
  return (
    `copy (select test_name, array_agg(confidence), array_agg("timestamp") from confidence_measurements` +
    ` where test_name = any(array[${names}]::text[])${after} group by test_name) to stdout (format binary)`
  );
}

export async function readSeriesCopy(client: pg.ClientBase, testNames: readonly string[], since: Date | undefined): Promise<TestPoints[]> {
  const decoder = new SeriesCopyDecoder();
  for await (const chunk of client.query(copyTo(seriesCopySql(testNames, since)))) decoder.push(chunk as Buffer);
  return decoder.end();
}

// The format (PostgreSQL's COPY documentation, "Binary Format"): an 11-byte signature, a 32-bit
// flags field and a 32-bit header extension length, then per row a 16-bit field count (-1 ends
// the data) and per field a 32-bit length (-1 for null) and that many bytes, integers big-endian.
// An array (array_send): dimensions, a has-nulls flag, the element type, per dimension its length
// and lower bound, then per element a 32-bit length and its bytes.
const signatureLength = 11;
const oneDimensionHeader = 20;
/** Each element of a float8[] or timestamptz[]: its length (8) and eight bytes. */
const elementSize = 12;
/** timestamptz is microseconds since 2000-01-01 UTC. */
const epochOf2000Ms = 946_684_800_000;
const twoTo32 = 4_294_967_296;
const int64Max = 0x7fff_ffff_ffff_ffffn;

/** Decodes rows of (test_name text, float8[], timestamptz[]): one test's points each. */
export class SeriesCopyDecoder {
  /**
   * The bytes received and not decoded yet, at the front of a buffer that doubles as it fills: a
   * test of a million points is one row of 24 MB, arriving in many chunks, and joining each chunk to
   * all before it cost time quadratic in the row (2 million points: 45 s).
   */
  private held = Buffer.alloc(64 * 1024);
  private heldLength = 0;
  private headerRead = false;
  private ended = false;
  private readonly series: TestPoints[] = [];

  push(chunk: Buffer): void {
    this.hold(chunk);
    const buffer = this.held.subarray(0, this.heldLength);
    let offset = 0;
    if (!this.headerRead) {
      if (buffer.length < signatureLength + 8 || buffer.length < signatureLength + 8 + buffer.readInt32BE(signatureLength + 4)) return;
      offset = signatureLength + 8 + buffer.readInt32BE(signatureLength + 4);
      this.headerRead = true;
    }
    while (!this.ended && buffer.length >= offset + 2) {
      const fields = buffer.readInt16BE(offset);
      if (fields === -1) {
        this.ended = true;
        offset += 2;
        break;
      }
      if (fields !== 3) throw new Error(`the series copy sent a row of ${fields} fields`);
      const rowEnd = completeRowEnd(buffer, offset + 2, fields);
      if (rowEnd === null) break;
      this.series.push(readRow(buffer, offset + 2));
      offset = rowEnd;
    }
    // Only a part row stays, moved to the front; while one row arrives nothing is moved.
    if (offset > 0) {
      this.held.copy(this.held, 0, offset, this.heldLength);
      this.heldLength -= offset;
    }
  }

  end(): TestPoints[] {
    if (!this.ended || this.heldLength > 0) throw new Error('the series copy ended inside a row');
    return this.series;
  }

  private hold(chunk: Buffer): void {
    const needed = this.heldLength + chunk.length;
    if (needed > this.held.length) {
      const grown = Buffer.alloc(Math.max(needed, 2 * this.held.length));
      this.held.copy(grown, 0, 0, this.heldLength);
      this.held = grown;
    }
    chunk.copy(this.held, this.heldLength);
    this.heldLength = needed;
  }
}

/** Where a row's fields starting at `offset` end, or null when the buffer does not hold them all yet. */
function completeRowEnd(buffer: Buffer, offset: number, fields: number): number | null {
  let at = offset;
  for (let field = 0; field < fields; field++) {
    if (buffer.length < at + 4) return null;
    at += 4 + Math.max(0, buffer.readInt32BE(at));
  }
  return buffer.length < at ? null : at;
}

function readRow(buffer: Buffer, offset: number): TestPoints {
  const nameLength = buffer.readInt32BE(offset);
  const testName = buffer.toString('utf8', offset + 4, offset + 4 + nameLength);
  const confidencesAt = offset + 4 + nameLength;
  const timestampsAt = confidencesAt + 4 + buffer.readInt32BE(confidencesAt);
  // Both columns are NOT NULL and a group has a row at least: one dimension, no nulls.
  const count = buffer.readInt32BE(confidencesAt + 4 + 12);
  const confidences = new Float64Array(count);
  const timestamps = new Float64Array(count);
  let confidence = confidencesAt + 4 + oneDimensionHeader + 4;
  let timestamp = timestampsAt + 4 + oneDimensionHeader + 4;
  for (let i = 0; i < count; i++, confidence += elementSize, timestamp += elementSize) {
    confidences[i] = buffer.readDoubleBE(confidence);
    timestamps[i] = epochMsOfPgMicros(buffer, timestamp);
  }
  return { testName, confidences, timestamps };
}

/**
 * A timestamptz's microseconds as whole epoch milliseconds, rounded down as the text read's
 * floor(extract(epoch) * 1000) does. Within ±2^52 µs (about 140 years from 2000) plain doubles divide
 * exactly enough; beyond, BigInt does. PostgreSQL's ±infinity come back as ±Infinity.
 */
export function epochMsOfPgMicros(buffer: Buffer, offset: number): number {
  const high = buffer.readInt32BE(offset);
  if (high > -0x10_0000 && high < 0x10_0000) return epochOf2000Ms + Math.floor((high * twoTo32 + buffer.readUInt32BE(offset + 4)) / 1000);
  const micros = buffer.readBigInt64BE(offset);
  if (micros === int64Max) return Infinity;
  if (micros === -int64Max - 1n) return -Infinity;
  const floored = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  return epochOf2000Ms + Number(floored);
}
