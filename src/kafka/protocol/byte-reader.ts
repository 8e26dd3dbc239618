import { KafkaCodecError } from './kafka-codec.error.js';

/** Reads Kafka's primitive types from a buffer; every read is bounds-checked. */
export class ByteReader {
  offset = 0;

  constructor(readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  private need(bytes: number): number {
    if (bytes < 0 || this.offset + bytes > this.buffer.length) {
      throw new KafkaCodecError(`truncated: ${bytes} bytes needed at ${this.offset} of ${this.buffer.length}`);
    }
    const at = this.offset;
    this.offset += bytes;
    return at;
  }

  int8(): number {
    return this.buffer.readInt8(this.need(1));
  }
  int16(): number {
    return this.buffer.readInt16BE(this.need(2));
  }
  uint16(): number {
    return this.buffer.readUInt16BE(this.need(2));
  }
  int32(): number {
    return this.buffer.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buffer.readUInt32BE(this.need(4));
  }
  int64(): number {
    return Number(this.buffer.readBigInt64BE(this.need(8)));
  }
  float64(): number {
    return this.buffer.readDoubleBE(this.need(8));
  }
  bytes(length: number): Buffer {
    const at = this.need(length);
    return this.buffer.subarray(at, at + length);
  }

  /** Unsigned varint of at most 32 bits. */
  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const byte = this.buffer[this.need(1)]!;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new KafkaCodecError('varint longer than 5 bytes');
  }

  /** Zig-zag varint (int32), as record fields use. */
  varint(): number {
    const raw = this.uvarint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** Zig-zag varlong; exact below 2^53. */
  varlong(): number {
    let result = 0n;
    for (let shift = 0n; shift <= 63n; shift += 7n) {
      const byte = BigInt(this.buffer[this.need(1)]!);
      result |= (byte & 0x7fn) << shift;
      if ((byte & 0x80n) === 0n) return Number((result >> 1n) ^ -(result & 1n));
    }
    throw new KafkaCodecError('varlong longer than 10 bytes');
  }

  /** A count of items that each take at least one byte: more than the bytes left is a corrupt frame. */
  count(n: number): number {
    if (n > this.remaining) throw new KafkaCodecError(`count ${n} exceeds the ${this.remaining} bytes left`);
    return n;
  }
}
