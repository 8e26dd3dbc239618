/**
 * Lets timers, I/O and waiting requests run before a long job takes its next step. On SQLite
 * every statement runs on the calling thread and resolves at once, so a loop of awaited
 * statements would otherwise hold the event loop from its first step to its last.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
