// Placeholder until the cluster core and the resource runner are merged: fails loudly.
import type { ClusterNodeOptions } from '../cluster/types.js';
import type { ActionRunner, CoreLike } from './driver.js';

export function createCore(_options: ClusterNodeOptions): CoreLike {
  throw new Error('the cluster core (src/cluster/node.ts) is not merged into this build yet');
}

export function createRunner(): ActionRunner {
  throw new Error('the resource runner (src/resources) is not merged into this build yet');
}
