/** A job of the install test: what the worker does with it is named by `kind`. */
export interface Job {
  id: string;
  kind: 'ok' | 'flaky' | 'busy' | 'poison';
}

/** What the worker reports, on the results topic, for each delivery it handles. */
export interface Outcome {
  id: string;
  deliveryCount: number;
  outcome: 'accepted' | 'failed' | 'busy' | 'rejected';
}
