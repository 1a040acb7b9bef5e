// The heartbeat media of ha.cf (`bcast`, `ucast`, `mcast`, `mcast6`, `ucast6`, `serial`) and the
// ping nodes watched over them (`ping`, `ping6`, `ping_group`), as parsed by ha-cf-media.ts and
// ha-cf-ping.ts.
import type { MediumId } from './names.js';
import type { SourceLocation } from './source-location.js';

export type Medium =
  | {
      readonly kind: 'bcast';
      readonly id: MediumId;
      readonly iface: string;
      readonly port: number;
      readonly at: SourceLocation;
    }
  | {
      readonly kind: 'ucast';
      readonly id: MediumId;
      readonly iface: string;
      readonly peer: string;
      readonly port: number;
      readonly at: SourceLocation;
    }
  | {
      readonly kind: 'mcast';
      readonly id: MediumId;
      readonly iface: string;
      readonly group: string;
      readonly port: number;
      readonly ttl: number;
      readonly loop: boolean;
      readonly at: SourceLocation;
    }
  | {
      readonly kind: 'mcast6';
      readonly id: MediumId;
      readonly iface: string;
      readonly group: string;
      readonly port: number;
      readonly hops: number;
      readonly loop: boolean;
      readonly at: SourceLocation;
    }
  | {
      readonly kind: 'ucast6';
      readonly id: MediumId;
      readonly iface: string;
      readonly peer: string;
      readonly port: number;
      readonly at: SourceLocation;
    }
  | {
      readonly kind: 'serial';
      readonly id: MediumId;
      readonly device: string;
      readonly baud: number;
      readonly at: SourceLocation;
    };

export type PingTarget =
  | {
      readonly kind: 'ping';
      readonly name: string;
      readonly addresses: readonly string[];
      readonly at: SourceLocation;
    }
  | {
      readonly kind: 'ping6';
      readonly name: string;
      readonly addresses: readonly string[];
      readonly at: SourceLocation;
    }
  | {
      readonly kind: 'ping_group';
      readonly name: string;
      readonly addresses: readonly string[];
      readonly at: SourceLocation;
    };
