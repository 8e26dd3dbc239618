// bench-null-transport.mjs with NULL_FSYNC=1: the transport row's ceiling plus the least a
// durable broker must do, each produce's bytes and each request's acks flushed before the answer
// (see null-broker.mjs).
import { runNullBroker } from './bench-null-http.mjs';

runNullBroker({ fsync: true, script: 'bench-shoal-transport.mjs' });
