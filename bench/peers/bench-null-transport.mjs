// bench-null-http.mjs for the kit's transport script (bench-shoal-transport.mjs: @shoal/client's
// produce, a NestJS worker on @shoal/transport, ShoalClient.emit) against the null broker: the
// ceiling of the row issue 29's targets are read from (see null-broker.mjs).
import { runNullBroker } from './bench-null-http.mjs';

runNullBroker({ fsync: false, script: 'bench-shoal-transport.mjs' });
