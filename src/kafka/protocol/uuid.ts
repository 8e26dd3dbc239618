import { KafkaCodecError } from './kafka-codec.error.js';

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** 16 bytes → `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
export function uuidToString(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A 16-byte Buffer, a dashed or plain hex string, or Kafka's 22-character base64url form → 16 bytes. */
export function uuidToBytes(value: unknown): Buffer {
  if (Buffer.isBuffer(value) && value.length === 16) return value;
  if (typeof value === 'string') {
    const hex = value.replace(/-/g, '');
    if (/^[0-9a-fA-F]{32}$/.test(hex)) return Buffer.from(hex, 'hex');
    if (/^[A-Za-z0-9_-]{22}$/.test(value)) return Buffer.from(value, 'base64url');
  }
  throw new KafkaCodecError(`not a uuid: ${String(value)}`);
}
