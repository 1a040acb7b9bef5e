// The `config` command of golden scripts: the cluster (nodes, named groups with their home node,
// timings, failback mode, media), the simulator's determinism knobs (seed, fixed network delay,
// fixed start/stop times) and what the script prints (wire messages, probes, hidden event kinds).
import type { ResourceGroup } from '../config/resource-config.js';
import type { ClusterConfig, GroupId, NodeName } from '../config/types.js';
import { simClusterConfig } from './sim-config.js';
import type { MediumConditions } from './network.js';

export interface Args {
  /** Words without `=`, in order. */
  readonly pos: readonly string[];
  readonly kv: ReadonlyMap<string, string>;
}

export function parseArgs(words: readonly string[]): Args {
  const pos: string[] = [];
  const kv = new Map<string, string>();
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq > 0) kv.set(w.slice(0, eq), w.slice(eq + 1));
    else pos.push(w);
  }
  return { pos, kv };
}

/** `1500ms`, `1.5s`. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  if (!m) throw new Error(`'${text}' is not a duration (e.g. 500ms, 1.5s)`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** `50ms` (fixed) or `20ms..60ms` (seeded uniform). */
export function parseRange(text: string): [number, number] {
  const [lo = '', hi] = text.split('..');
  const a = parseDuration(lo);
  const b = hi !== undefined ? parseDuration(hi) : a;
  if (b < a) throw new Error(`range ${text} goes backwards`);
  return [a, b];
}

export interface GoldenSetup {
  readonly config: ClusterConfig;
  readonly seed: number;
  readonly conditions: MediumConditions[];
  readonly acquireMs: [number, number];
  readonly releaseMs: [number, number];
  /** Nodes that run the Heartbeat 3.0.6 emulation instead of a ClusterNode. */
  readonly emulated: ReadonlySet<string>;
  /** Event kinds not printed. */
  readonly hidden: ReadonlySet<string>;
  /** Print cluster messages as they are sent (not NS_*, status only when `st` changes). */
  readonly wire: boolean;
  /** Print the start-up probes and their results. */
  readonly probes: boolean;
  /** What `config` prints: the settings in force, defaults included. */
  readonly summary: string[];
}

const defaults: Record<string, string> = {
  nodes: '2',
  failback: 'on',
  keepalive: '100ms',
  deadtime: '500ms',
  media: '1',
  seed: '1',
  delay: '1ms',
  acquire: '50ms',
  release: '30ms',
  wire: 'off',
  probes: 'off',
};
const keys = [...Object.keys(defaults), 'groups', 'warntime', 'initdead', 'heartbeat', 'hide'];

function nodeList(spec: string): NodeName[] {
  const nodes = /^\d+$/.test(spec)
    ? Array.from({ length: Number(spec) }, (_, i) => `node${i + 1}`)
    : spec.split(',');
  if (nodes.length < 2 || nodes.length > 16 || new Set(nodes).size !== nodes.length) {
    throw new Error(`nodes: a count or a comma list of 2-16 distinct names, not '${spec}'`);
  }
  return nodes as NodeName[];
}

/** `node1:web,node2:db`: each group is named and homed (haresources' first token). */
function groupList(spec: string, nodes: readonly NodeName[], file: string): ResourceGroup[] {
  const groups = spec.split(',').map((item): ResourceGroup => {
    const [home = '', id = '', extra] = item.split(':');
    if (!nodes.includes(home as NodeName) || !/^[\w.-]+$/.test(id) || extra !== undefined) {
      throw new Error(`groups: '${item}' is not home:name with a configured home node`);
    }
    const resources = [{ raw: id, agent: id, args: [] }];
    return { id: id as GroupId, homeNode: home as NodeName, resources, at: { file, line: 0 } };
  });
  if (new Set(groups.map((g) => g.id)).size !== groups.length) throw new Error('groups: duplicate names');
  return groups;
}

export function goldenConfig(a: Args, file: string): GoldenSetup {
  for (const k of a.kv.keys()) {
    if (!keys.includes(k)) throw new Error(`unknown config key '${k}' (known: ${keys.join(' ')})`);
  }
  if (a.pos.length > 0) throw new Error(`config takes key=value words only, not '${a.pos.join(' ')}'`);
  const get = (k: string): string => a.kv.get(k) ?? defaults[k] ?? '';
  const nodes = nodeList(get('nodes'));
  const groups = groupList(
    a.kv.get('groups') ?? nodes.map((n, i) => `${n}:g${i + 1}`).join(','),
    nodes,
    file,
  );
  const failback = get('failback');
  if (failback !== 'on' && failback !== 'off' && failback !== 'legacy') {
    throw new Error(`failback: on, off or legacy, not '${failback}'`);
  }
  const media = Number(get('media'));
  const seed = Number(get('seed'));
  if (!Number.isInteger(media) || media < 1 || media > 4) throw new Error('media: 1-4');
  if (!Number.isInteger(seed) || seed < 0) throw new Error('seed: a non-negative integer');
  const optional = (k: string): number | undefined => (a.kv.has(k) ? parseDuration(get(k)) : undefined);
  const warntimeMs = optional('warntime');
  const initdeadMs = optional('initdead');
  const base = simClusterConfig({
    nodes: nodes.length,
    media,
    keepaliveMs: parseDuration(get('keepalive')),
    deadtimeMs: parseDuration(get('deadtime')),
    ...(warntimeMs !== undefined ? { warntimeMs } : {}),
    ...(initdeadMs !== undefined ? { initdeadMs } : {}),
    autoFailback: failback,
  });
  const config: ClusterConfig = { ...base, nodes, resourceGroups: groups };
  const emulated = new Set(a.kv.has('heartbeat') ? get('heartbeat').split(',') : []);
  for (const n of emulated) {
    if (!nodes.includes(n as NodeName)) throw new Error(`heartbeat: '${n}' is not a configured node`);
  }
  const onOff = (k: string): boolean => {
    const v = get(k);
    if (v !== 'on' && v !== 'off') throw new Error(`${k}: on or off, not '${v}'`);
    return v === 'on';
  };
  const [delayMinMs, delayMaxMs] = parseRange(get('delay'));
  const emu = emulated.size > 0 ? ` (${[...emulated].join(', ')}: Heartbeat 3.0.6 emulation)` : '';
  const c = config;
  return {
    config,
    seed,
    conditions: c.media.map(() => ({ loss: 0, delayMinMs, delayMaxMs, duplicate: 0 })),
    acquireMs: parseRange(get('acquire')),
    releaseMs: parseRange(get('release')),
    emulated,
    hidden: new Set(a.kv.has('hide') ? get('hide').split(',') : []),
    wire: onOff('wire'),
    probes: onOff('probes'),
    summary: [
      `nodes ${nodes.join(' ')}${emu}`,
      `groups ${groups.map((g) => `${g.id}@${g.homeNode}`).join(' ')}`,
      `keepalive ${c.keepaliveMs}ms deadtime ${c.deadtimeMs}ms warntime ${c.warntimeMs}ms initdead ${c.initdeadMs}ms failback ${c.autoFailback}`,
      `media ${c.media.map((m) => m.id).join(' ')}; seed ${seed}; delay ${get('delay')}; acquire ${get('acquire')}; release ${get('release')}`,
    ],
  };
}
