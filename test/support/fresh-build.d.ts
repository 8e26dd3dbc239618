export interface BuildOutput {
  /** Directories (relative to the repository) whose files the build compiles or copies. */
  sources: string[];
  /** A file every build rewrites (tsc -b's .tsbuildinfo). */
  stamp?: string;
  /** Or the directory the build writes in full each time. */
  outputDir?: string;
}
export const BUILD_OUTPUTS: BuildOutput[];
export function staleBuild(root: string, outputs?: BuildOutput[]): { output: string; source?: string } | undefined;
export function assertFreshBuild(root: string): void;
