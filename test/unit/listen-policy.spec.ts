import 'reflect-metadata';
import { listenDecision } from '../../src/config/listen-policy.js';
import { DEFAULT_SECURITY, loadConfig } from '../../src/config/shoal-config.js';

describe(listenDecision.name, () => {
  it('listens on loopback only without a key, and says so', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    const decision = listenDecision(config, false);
    expect(decision.refuse).toBeUndefined();
    expect(decision.message).toMatch(/127\.0\.0\.1:8080 only, without API keys/);
  });

  it('refuses another interface without a key unless SHOAL_ALLOW_ANONYMOUS=true, which it warns about', () => {
    expect(listenDecision(loadConfig({ HOST: '0.0.0.0' }), false).refuse).toMatch(/SHOAL_ALLOW_ANONYMOUS=true/);
    const allowed = listenDecision(loadConfig({ HOST: '0.0.0.0', SHOAL_ALLOW_ANONYMOUS: 'true' }), false);
    expect(allowed).toMatchObject({ warn: true, message: expect.stringMatching(/WITHOUT API keys/) });
  });

  it('listens anywhere once a key exists, on all interfaces by default with the admin key', () => {
    const config = loadConfig({ SHOAL_ADMIN_API_KEY: 'a-long-enough-admin-key' });
    expect(config.host).toBe('0.0.0.0');
    expect(listenDecision(config, true)).toEqual({ message: expect.stringMatching(/API keys required/), warn: false });
    expect(listenDecision({ ...config, security: { ...DEFAULT_SECURITY } }, true).refuse).toBeUndefined();
  });

  it('wants both TLS files or neither', () => {
    expect(() => loadConfig({ SHOAL_TLS_CERT: '/x.pem' })).toThrow();
  });
});
