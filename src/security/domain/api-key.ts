import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A key as handed out: `shoal_<id>_<secret>`; only the id and the secret's SHA-256 are stored. */
export interface IssuedApiKey {
  id: string;
  key: string;
  secretHash: string;
}

const KEY_PATTERN = /^shoal_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/**
 * SHA-256 rather than a slow password hash: the secret is 256 random bits, so there is
 * nothing to guess, and every request checks it.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function issueApiKey(): IssuedApiKey {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `shoal_${id}_${secret}`, secretHash: hashSecret(secret) };
}

/** The id and secret of a well-formed key, or null. */
export function parseApiKey(key: string): { id: string; secret: string } | null {
  const match = KEY_PATTERN.exec(key);
  return match ? { id: match[1], secret: match[2] } : null;
}

/** Compares two strings in time independent of where they differ (both hashed to one length). */
export function sameSecret(given: string, expectedHash: string): boolean {
  return timingSafeEqual(Buffer.from(hashSecret(given), 'hex'), Buffer.from(expectedHash, 'hex'));
}
