// What loading the configuration gives the daemon, its supervisor and a reload: the resolved
// configuration with its warnings, or the errors (file:line) that refuse it.
import type { ClusterConfig } from '../config/types.js';

export type ConfigResult =
  | {
      readonly ok: true;
      readonly config: ClusterConfig;
      readonly warnings: readonly string[];
      /** The local node name (given, from nodeinfo, or uname -n). */
      readonly nodeName: string;
    }
  | { readonly ok: false; readonly errors: readonly string[] };
