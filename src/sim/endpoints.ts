// Endpoint factories for the simulator: the real protocol endpoint (codec + auth + seq/rexmit on
// every simulated hop, the default) and the JSON PlainEndpoint (core-only unit tests).
import type { ClusterConfig, NodeName } from '../config/types.js';
import { createEndpoint } from '../protocol/create-endpoint.js';
import type { ProtocolEndpoint } from '../protocol/endpoint.js';
import { PlainEndpoint } from './plain-endpoint.js';

export interface EndpointFactoryArgs {
  readonly config: ClusterConfig;
  readonly self: NodeName;
  readonly generation: number;
  readonly uuid: Uint8Array;
  readonly random: { next(): number };
}

export type EndpointFactory = (args: EndpointFactoryArgs) => ProtocolEndpoint;

export const realEndpoints: EndpointFactory = (a) =>
  createEndpoint({
    self: a.self,
    uuid: a.uuid,
    generation: a.generation,
    auth: a.config.auth,
    innerAuth: a.config.msgfmt === 'classic',
    knownNodes: a.config.nodes,
    pingNodes: [],
    ttl: a.config.nodes.length + a.config.hopfudge,
    maxRexmitDelayMs: a.config.maxRexmitDelayMs,
    random: a.random,
  });

export const plainEndpoints: EndpointFactory = (a) => new PlainEndpoint(a.self, a.generation);
