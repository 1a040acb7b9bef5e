// The lab harness lives in src/lab (the demo uses it too); tests import it from here.
import type { Lab } from '../../src/lab/netns-lab.js';

export * from '../../src/lab/dist-paths.js';
export * from '../../src/lab/lab-shell.js';
export * from '../../src/lab/lab-topology.js';
export * from '../../src/lab/netns-lab.js';
export * from '../../src/lab/supervised-daemon.js';
export * from '../../src/lab/wait-until.js';

/** The usual cluster start: every node runs the HTTP service, then its daemon. */
export function startAllNodes(lab: Lab): void {
  for (const n of lab.nodes) {
    lab.startHttp(n);
    lab.startDaemon(n);
  }
}

/** Test teardown; with HBTS_LAB_DEBUG set, every node's daemon log is printed first. */
export async function cleanupLab(lab: Lab): Promise<void> {
  if (process.env['HBTS_LAB_DEBUG'])
    for (const n of lab.nodes) process.stdout.write(`--- ${n.name}\n${lab.log(n)}`);
  await lab.cleanup();
}
