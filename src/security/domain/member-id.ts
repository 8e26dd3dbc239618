import { randomBytes, randomUUID } from 'node:crypto';

/*
 * A member id is `<public id>.<secret>`: the joiner gets it whole and uses it on member
 * routes; describe shows only the public id. So reading a group never hands out what it
 * takes to act as one of its members, with or without API keys.
 */

export function newMemberId(): string {
  return `${randomUUID()}.${randomBytes(16).toString('base64url')}`;
}

/** The part of a member id that describe, logs and errors show. */
export function publicMemberId(memberId: string): string {
  const dot = memberId.indexOf('.');
  return dot < 0 ? memberId : memberId.slice(0, dot);
}
