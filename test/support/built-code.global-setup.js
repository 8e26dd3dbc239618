// globalSetup of the integration and e2e projects: the build check, then the shared PostgreSQL.
import { fileURLToPath, URL } from 'node:url';
import { assertFreshBuild } from './fresh-build.js';
import startPostgres from './postgres.global-setup.js';

export default async function setup() {
  assertFreshBuild(fileURLToPath(new URL('../..', import.meta.url)));
  await startPostgres();
}
