import {
  type AclRule,
  allows,
  isSuperuser,
  Operation,
  PatternType,
  ResourceType,
} from '../../src/security/domain/acl.js';
import { hashSecret, issueApiKey, parseApiKey, sameSecret } from '../../src/security/domain/api-key.js';

const rule = (over: Partial<AclRule>): AclRule => ({
  principal: 'p',
  resourceType: ResourceType.Topic,
  patternType: PatternType.Literal,
  resourceName: 'orders',
  operation: Operation.Read,
  ...over,
});

describe(allows.name, () => {
  it('matches a literal name exactly and a prefix by its start', () => {
    const rules = [
      rule({}),
      rule({ patternType: PatternType.Prefix, resourceName: 'pay-', operation: Operation.Produce }),
    ];
    expect(allows(rules, { resourceType: ResourceType.Topic, name: 'orders', operation: Operation.Read })).toBe(true);
    expect(allows(rules, { resourceType: ResourceType.Topic, name: 'orders2', operation: Operation.Read })).toBe(false);
    expect(allows(rules, { resourceType: ResourceType.Topic, name: 'pay-x', operation: Operation.Produce })).toBe(true);
    expect(allows(rules, { resourceType: ResourceType.Topic, name: 'pa', operation: Operation.Produce })).toBe(false);
  });

  it('keeps operations and resource types apart; admin on a resource allows every operation on it', () => {
    const rules = [rule({ operation: Operation.Admin })];
    expect(allows(rules, { resourceType: ResourceType.Topic, name: 'orders', operation: Operation.Produce })).toBe(
      true,
    );
    expect(allows([rule({})], { resourceType: ResourceType.Topic, name: 'orders', operation: Operation.Produce })).toBe(
      false,
    );
    expect(allows(rules, { resourceType: ResourceType.Group, name: 'orders', operation: Operation.Consume })).toBe(
      false,
    );
  });

  it('makes cluster admin a superuser, and the literal name * match every name', () => {
    const admin = [rule({ resourceType: ResourceType.Cluster, operation: Operation.Admin })];
    expect(allows(admin, { resourceType: ResourceType.Group, name: 'any', operation: Operation.Consume })).toBe(true);
    expect(isSuperuser('p', admin)).toBe(true);
    expect(isSuperuser('p', [rule({})])).toBe(false);
    expect(
      allows([rule({ resourceName: '*' })], { resourceType: ResourceType.Topic, name: 'x', operation: Operation.Read }),
    ).toBe(true);
  });
});

describe(issueApiKey.name, () => {
  it('hands out a key whose secret is stored only as its SHA-256', () => {
    const issued = issueApiKey();
    const parsed = parseApiKey(issued.key)!;
    expect(parsed.id).toBe(issued.id);
    expect(issued.secretHash).toBe(hashSecret(parsed.secret));
    expect(issued.secretHash).not.toContain(parsed.secret);
    expect(sameSecret(parsed.secret, issued.secretHash)).toBe(true);
    expect(sameSecret(`${parsed.secret}x`, issued.secretHash)).toBe(false);
    expect(parseApiKey('shoal_nothex_abc')).toBeNull();
  });
});
