// bench-null-http.mjs with NULL_FSYNC=1: the ceiling plus the least a durable broker must do
// (see null-broker.mjs).
import { runNullBroker } from './bench-null-http.mjs';

runNullBroker({ fsync: true });
