// Named errors of the cluster core. The core never throws on network input or bad config (those
// are values and events); it throws only when its own invariants break, which is a bug.

/** An internal invariant of the core broke (two pending actions for one group, ...). */
export class ClusterInvariantError extends Error {
  constructor(what: string, options?: { cause?: unknown }) {
    super(`cluster invariant broken: ${what}`, options);
    this.name = 'ClusterInvariantError';
  }
}
