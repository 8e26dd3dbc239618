// globalSetup of the projects with suites that start the built programs: fails the run at once,
// with one clear line, when dist/ is older than the sources (jest alone does not build).
import { fileURLToPath, URL } from 'node:url';
import { assertFreshBuild } from './fresh-build.js';

export default function setup() {
  assertFreshBuild(fileURLToPath(new URL('../..', import.meta.url)));
}
