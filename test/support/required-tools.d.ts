export interface RequiredTool {
  /** What the README and the skip note call it. */
  name: string;
  /** Every executable the suites run, looked up on PATH. */
  binaries: string[];
  /** The Debian package that installs them. */
  apt: string;
  /** Test files (relative to the repository) that need it. */
  suites: string[];
}
export const REQUIRED_TOOLS: RequiredTool[];
export function findExecutable(binary: string, env?: NodeJS.ProcessEnv): string | undefined;
export function toolPath(name: string, env?: NodeJS.ProcessEnv): string;
export function missingTools(env?: NodeJS.ProcessEnv, tools?: RequiredTool[]): RequiredTool[];
export function missingToolsFor(suite: string, env?: NodeJS.ProcessEnv, tools?: RequiredTool[]): RequiredTool[];
export function aptInstallLine(tools: RequiredTool[]): string;
export function toolsRequired(env?: NodeJS.ProcessEnv): boolean;
