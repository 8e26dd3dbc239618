/** Element types a {@link PgBinaryArray} holds, with their type OIDs and the bytes of a fixed-width one. */
const ELEMENT = {
  int4: { oid: 23, width: 4 },
  int8: { oid: 20, width: 8 },
  text: { oid: 25, width: 0 },
  bytea: { oid: 17, width: 0 },
} as const;

type ElementType = keyof typeof ELEMENT;

const HEADER_BYTES = 20;

/**
 * A one-dimensional array parameter in PostgreSQL's binary format (`pg` sends the bytes a
 * parameter's `toPostgres` gives as a binary value, read by the array type's receive function).
 * For a long array of text it is cheaper at both ends than the text form `pg` writes for a JS
 * array: no quoting and backslash-escaping of every item (a JSON value is full of quotes) in
 * the broker, no unescaping in the server. The statement must cast the parameter to the
 * matching array type (`$1::text[]`). Never written out as a literal (`Sql.later`'s inlining
 * leaves it a parameter).
 */
export class PgBinaryArray {
  private constructor(private readonly bytes: Buffer) {}

  /** `items`: safe integers for int4/int8, strings for text, buffers for bytea; null for a null item. */
  static of(type: ElementType, items: readonly (number | string | Buffer | Uint8Array | null)[]): PgBinaryArray {
    const { oid, width } = ELEMENT[type];
    if (items.length === 0) {
      // No dimensions: the empty array.
      const empty = Buffer.alloc(12);
      empty.writeInt32BE(oid, 8);
      return new PgBinaryArray(empty);
    }
    let size = HEADER_BYTES;
    for (const item of items) {
      size += 4;
      if (item === null) continue;
      if (width > 0) size += width;
      else size += typeof item === 'string' ? Buffer.byteLength(item) : (item as Uint8Array).length;
    }
    const bytes = Buffer.allocUnsafe(size);
    bytes.writeInt32BE(1, 0); // dimensions
    bytes.writeInt32BE(items.includes(null) ? 1 : 0, 4); // has nulls
    bytes.writeInt32BE(oid, 8);
    bytes.writeInt32BE(items.length, 12);
    bytes.writeInt32BE(1, 16); // lower bound
    let at = HEADER_BYTES;
    for (const item of items) {
      if (item === null) {
        at = bytes.writeInt32BE(-1, at);
      } else if (type === 'int4') {
        at = bytes.writeInt32BE(item as number, bytes.writeInt32BE(4, at));
      } else if (type === 'int8') {
        at = bytes.writeBigInt64BE(BigInt(item as number), bytes.writeInt32BE(8, at));
      } else if (typeof item === 'string') {
        const length = bytes.write(item, at + 4);
        bytes.writeInt32BE(length, at);
        at += 4 + length;
      } else {
        const buffer = item as Uint8Array;
        bytes.set(buffer, bytes.writeInt32BE(buffer.length, at));
        at += 4 + buffer.length;
      }
    }
    return new PgBinaryArray(bytes);
  }

  /** What `pg` sends: a Buffer, so in binary format. */
  toPostgres(): Buffer {
    return this.bytes;
  }
}
