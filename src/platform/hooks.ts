/**
 * How a feature lets a layer above it plug in without importing it (docs/architecture.md,
 * "Layers"): the feature owns the hook and calls it; the layer above (jobs, metrics, Kafka)
 * fills it in when its providers are built, before the application serves anything.
 */

/** Everyone who hears of an event, called in the order they were added. */
export class Listeners<Args extends unknown[]> {
  private readonly listeners: ((...args: Args) => void)[] = [];

  add(listener: (...args: Args) => void): void {
    this.listeners.push(listener);
  }

  emit(...args: Args): void {
    for (const listener of this.listeners) listener(...args);
  }
}

/** One implementation a layer above provides; empty until it does. */
export class Slot<T> {
  private value: T | undefined;

  fill(value: T): void {
    if (this.value !== undefined) throw new Error('this hook is already filled');
    this.value = value;
  }

  get current(): T | undefined {
    return this.value;
  }
}
