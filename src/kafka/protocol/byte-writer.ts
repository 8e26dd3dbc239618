/** Writes Kafka's primitive types into a growing buffer. */
export class ByteWriter {
  private buffer: Buffer;
  offset = 0;

  constructor(initial = 256) {
    this.buffer = Buffer.allocUnsafe(initial);
  }

  private ensure(bytes: number): number {
    if (this.offset + bytes > this.buffer.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
      this.buffer.copy(next, 0, 0, this.offset);
      this.buffer = next;
    }
    const at = this.offset;
    this.offset += bytes;
    return at;
  }

  int8(value: number): void {
    const at = this.ensure(1);
    this.buffer.writeInt8(value, at);
  }
  int16(value: number): void {
    const at = this.ensure(2);
    this.buffer.writeInt16BE(value, at);
  }
  uint16(value: number): void {
    const at = this.ensure(2);
    this.buffer.writeUInt16BE(value, at);
  }
  int32(value: number): void {
    const at = this.ensure(4);
    this.buffer.writeInt32BE(value, at);
  }
  uint32(value: number): void {
    const at = this.ensure(4);
    this.buffer.writeUInt32BE(value >>> 0, at);
  }
  int64(value: number | bigint): void {
    const at = this.ensure(8);
    this.buffer.writeBigInt64BE(BigInt(value), at);
  }
  float64(value: number): void {
    const at = this.ensure(8);
    this.buffer.writeDoubleBE(value, at);
  }
  bytes(value: Uint8Array): void {
    const at = this.ensure(value.length);
    this.buffer.set(value, at);
  }

  /** One byte; `ensure` first, as it may replace the buffer. */
  private byte(value: number): void {
    const at = this.ensure(1);
    this.buffer[at] = value;
  }

  uvarint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.byte((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.byte(rest);
  }

  varint(value: number): void {
    this.uvarint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  varlong(value: number): void {
    let raw = (BigInt(value) << 1n) ^ (BigInt(value) >> 63n);
    raw = BigInt.asUintN(64, raw);
    while (raw >= 0x80n) {
      this.byte(Number(raw & 0x7fn) | 0x80);
      raw >>= 7n;
    }
    this.byte(Number(raw));
  }

  /** Writes a 32-bit placeholder and returns its position, for a length or CRC known later. */
  reserve32(): number {
    return this.ensure(4);
  }
  setInt32At(position: number, value: number): void {
    this.buffer.writeInt32BE(value, position);
  }
  setUint32At(position: number, value: number): void {
    this.buffer.writeUInt32BE(value >>> 0, position);
  }

  /** The bytes written so far (a view, not a copy). */
  result(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }
}
