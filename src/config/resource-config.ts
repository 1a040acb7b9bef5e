// haresources as parsed (parse-haresources.ts): the resource groups, their home nodes and
// resources, and where a group goes back to when its home node returns (`auto_failback`).
import type { GroupId, NodeName } from './names.js';
import type { SourceLocation } from './source-location.js';

/** One resource of a group, as written (`IPaddr::198.18.0.100/24/eth0`, `apache`, `198.18.0.100`). */
export interface ResourceSpec {
  /** Exactly as written in haresources; the group id is the first one's `raw`. */
  readonly raw: string;
  /** Script/agent name: `IPaddr` for bare addresses, else the part before the first `::`. */
  readonly agent: string;
  /** Arguments: the `::`-separated parts after the agent; for a bare address, the address string. */
  readonly args: readonly string[];
}

export interface ResourceGroup {
  readonly id: GroupId;
  /** Preferred ("home") node: first token of the haresources line. */
  readonly homeNode: NodeName;
  /** Start order left to right; stop order is the reverse. */
  readonly resources: readonly ResourceSpec[];
  readonly at: SourceLocation;
}

export type AutoFailback = 'on' | 'off' | 'legacy';
