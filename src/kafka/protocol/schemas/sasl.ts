import type { MessageSchema } from '../message-schema.js';

export const SaslHandshakeRequest = {
  apiKey: 17,
  type: 'request',
  name: 'SaslHandshakeRequest',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [{ name: 'Mechanism', type: 'string', versions: '0+' }],
} as const satisfies MessageSchema;

export const SaslHandshakeResponse = {
  apiKey: 17,
  type: 'response',
  name: 'SaslHandshakeResponse',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'Mechanisms', type: '[]string', versions: '0+' },
  ],
} as const satisfies MessageSchema;

export const SaslAuthenticateRequest = {
  apiKey: 36,
  type: 'request',
  name: 'SaslAuthenticateRequest',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [{ name: 'AuthBytes', type: 'bytes', versions: '0+' }],
} as const satisfies MessageSchema;

export const SaslAuthenticateResponse = {
  apiKey: 36,
  type: 'response',
  name: 'SaslAuthenticateResponse',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'AuthBytes', type: 'bytes', versions: '0+' },
    { name: 'SessionLifetimeMs', type: 'int64', versions: '1+', default: '0' },
  ],
} as const satisfies MessageSchema;
