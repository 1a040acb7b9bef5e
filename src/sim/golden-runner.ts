// Runs golden scenario scripts (format: golden-script.ts; commands: test/golden/README.md) on the
// simulator, and compares or rewrites the expected output of every command: what the command and
// the simulated time up to the next command produced (events, resource actions and their results,
// optionally cluster messages), or the status it asked for. Deterministic: one seed per file, a
// clean network with a fixed delay and fixed start/stop times unless the script says otherwise.
import type { Action, AdminCommand, Output } from '../cluster/types.js';
import type { GroupId, MediumId } from '../config/types.js';
import { realEndpoints } from './endpoints.js';
import { goldenConfig, parseArgs, parseDuration } from './golden-config.js';
import type { Args, GoldenSetup } from './golden-config.js';
import {
  actionLine,
  eventLine,
  fmtTime,
  resourceLines,
  resultLine,
  statusLines,
  wireLine,
} from './golden-format.js';
import { directives, GoldenSyntaxError, mismatchReport, parseGolden, renderGolden } from './golden-script.js';
import type { GoldenDirective } from './golden-script.js';
import { HeartbeatPeer } from './heartbeat-peer.js';
import { Simulator } from './simulator.js';
import type { SimNode } from './sim-node.js';

export interface GoldenResult {
  /** One readable report per block whose output differs from what the run printed. */
  readonly failures: string[];
  /** The file with every block's output replaced by what the run printed (for rewrite mode). */
  readonly rewritten: string;
}

/**
 * Run a script, compare every block with its expected output. A bad command or argument throws a
 * GoldenSyntaxError naming file:line.
 */
export function checkGolden(text: string, file: string): GoldenResult {
  const items = parseGolden(text, file);
  const run = new GoldenRun(file);
  const actual: string[][] = [];
  const failures: string[] = [];
  for (const d of directives(items)) {
    let lines: string[];
    try {
      lines = run.exec(d);
    } catch (err) {
      throw new GoldenSyntaxError(`${file}:${d.line}: ${d.command}: ${(err as Error).message}`);
    }
    actual.push(lines);
    if (lines.join('\n') !== d.expected.join('\n')) failures.push(mismatchReport(file, d, lines));
  }
  return { failures, rewritten: renderGolden(items, actual) };
}

const sets = ['all', 'local', 'foreign'] as const;

class GoldenRun {
  private sim: Simulator | undefined;
  private setup: GoldenSetup | undefined;
  private out: string[] = [];
  /** Actions in flight, by `node|incarnation|id`, to print their results. */
  private readonly actions = new Map<string, Action>();
  private readonly lastSt = new Map<string, string>();

  constructor(private readonly file: string) {}

  exec(d: GoldenDirective): string[] {
    this.out = [];
    const [verb = '', ...rest] = d.command.split(/\s+/);
    const a = parseArgs(rest);
    if (verb === 'config') this.configure(a);
    else this.command(verb, a);
    return this.out.length > 0 ? this.out : ['ok'];
  }

  private configure(a: Args): void {
    if (this.setup) throw new Error('config appears once, before every other command');
    const setup = goldenConfig(a, this.file);
    const names = setup.config.nodes;
    this.setup = setup;
    this.sim = new Simulator({
      seed: setup.seed,
      config: setup.config,
      endpointFactory: realEndpoints,
      media: setup.conditions,
      acquireMs: setup.acquireMs,
      releaseMs: setup.releaseMs,
      coreFactory: (o, index) => (setup.emulated.has(names[index] ?? '') ? new HeartbeatPeer(o) : undefined),
      observer: {
        output: (n, out) => this.onOutput(n, out),
        result: (n, id, ok, detail) => this.onResult(n, id, ok, detail),
      },
    });
    this.out.push(...setup.summary);
  }

  private onOutput(n: SimNode, out: Output): void {
    const s = this.setup;
    if (!s) return;
    const now = this.sim?.nowMs ?? 0;
    for (const e of out.events) if (!s.hidden.has(e.kind)) this.out.push(eventLine(now, n.name, e));
    for (const a of out.actions) {
      if (a.kind !== 'announce' && a.kind !== 'arbiter-drop')
        this.actions.set(`${n.index}|${n.incarnation}|${a.id}`, a);
      if (this.shows(a)) this.out.push(actionLine(now, n.name, a));
    }
    if (s.wire) {
      for (const p of out.packets) {
        const line = wireLine(now, n.name, p.bytes, this.lastSt);
        if (line !== undefined) this.out.push(line);
      }
    }
    if (out.stopped) this.out.push(`${fmtTime(now)} ${n.name} process exits (graceful stop complete)`);
  }

  private onResult(n: SimNode, id: number, ok: boolean, detail: string | undefined): void {
    const key = `${n.index}|${n.incarnation}|${id}`;
    const a = this.actions.get(key);
    this.actions.delete(key);
    if (a && this.shows(a)) this.out.push(resultLine(this.sim?.nowMs ?? 0, n.name, a, ok, detail));
  }

  private shows(a: Action): boolean {
    return a.kind !== 'probe' || this.setup?.probes === true;
  }

  private command(verb: string, a: Args): void {
    const sim = this.sim;
    const setup = this.setup;
    if (!sim || !setup) throw new Error('the first command must be config');
    const node = (i = 0): SimNode => this.node(a.pos[i]);
    const nodes = (): SimNode[] => (a.pos[0] === 'all' ? sim.nodes : a.pos.map((p) => this.node(p)));
    const expect = (count: number, usage: string): void => {
      if (a.pos.length !== count) throw new Error(`usage: ${usage}`);
    };
    switch (verb) {
      case 'start':
        if (a.pos.length === 0) throw new Error('usage: start <node>...|all');
        for (const n of nodes()) {
          if (n.core) throw new Error(`${n.name} is already running`);
          this.lastSt.delete(n.name);
          this.out.push(`${fmtTime(sim.nowMs)} ${n.name} starts`);
          sim.start(n.index);
        }
        return;
      case 'crash':
        if (a.pos.length === 0) throw new Error('usage: crash <node>...|all');
        for (const n of nodes()) {
          if (!n.core) throw new Error(`${n.name} is not running`);
          const lost = [...n.resources].filter(([, st]) => st !== 'stopped').map(([g]) => g);
          sim.crash(n.index);
          const gone = lost.length > 0 ? `, ${lost.join(', ')} going down with it` : '';
          this.out.push(`${fmtTime(sim.nowMs)} ${n.name} crashes (power loss)${gone}`);
        }
        return;
      case 'shutdown':
        expect(1, 'shutdown <node>');
        return this.admin(node(), { kind: 'shutdown' });
      case 'standby':
      case 'takeover': {
        expect(2, `${verb} <node> all|local|foreign`);
        const set = sets.find((s) => s === a.pos[1]);
        if (set === undefined)
          throw new Error(`${verb}: the set is all, local or foreign, not '${a.pos[1]}'`);
        return this.admin(node(), { kind: verb, set });
      }
      case 'cut':
      case 'heal': {
        if (verb === 'heal' && a.pos.length === 0 && a.kv.size === 0) return sim.healAll();
        const pair = a.pos.filter((p) => p !== 'oneway');
        if (pair.length !== 2) throw new Error(`usage: ${verb} <node> <node> [medium=N] [oneway]`);
        const [x, y] = [this.node(pair[0]), this.node(pair[1])];
        const media = this.media(a);
        const act = (f: SimNode, t: SimNode): void =>
          verb === 'cut' ? sim.block(f.index, t.index, media) : sim.unblock(f.index, t.index, media);
        act(x, y);
        if (!a.pos.includes('oneway')) act(y, x);
        return;
      }
      case 'loss': {
        expect(1, 'loss [medium=N] <percent>%');
        const m = /^(\d+(?:\.\d+)?)%$/.exec(a.pos[0] ?? '');
        if (!m) throw new Error(`loss: '${a.pos[0]}' is not a percentage like 30%`);
        for (const id of this.media(a)) {
          const i = setup.config.media.findIndex((x) => x.id === id);
          const c = sim.conditions[i];
          if (c) sim.setConditions(i, { ...c, loss: Number(m[1]) / 100 });
        }
        return;
      }
      case 'pause':
        expect(2, 'pause <node> <duration>');
        return sim.pause(node().index, parseDuration(a.pos[1] ?? ''));
      case 'advance':
        expect(1, 'advance <duration>');
        return sim.runUntil(sim.nowMs + parseDuration(a.pos[0] ?? ''));
      case 'fail-next-start':
      case 'fail-next-stop': {
        expect(2, `${verb} <node> <group>`);
        const g = this.group(a.pos[1]);
        (verb === 'fail-next-start' ? node().failNextStart : node().failNextStop).add(g);
        return;
      }
      case 'status': {
        expect(1, 'status <node>');
        const n = node();
        if (!n.core) return void this.out.push(`${n.name}: down`);
        this.out.push(...statusLines(n.core.status(), setup.emulated.has(n.name)));
        return;
      }
      case 'resources':
        expect(0, 'resources');
        this.out.push(
          ...resourceLines(
            setup.config.resourceGroups.map((g) => g.id),
            sim.nodes,
          ),
        );
        return;
      default:
        throw new Error(
          `unknown command '${verb}' (config start crash shutdown standby takeover cut heal loss pause advance fail-next-start fail-next-stop status resources)`,
        );
    }
  }

  private admin(n: SimNode, command: AdminCommand): void {
    if (!n.core) throw new Error(`${n.name} is not running`);
    this.sim?.admin(n.index, command);
  }

  private node(name: string | undefined): SimNode {
    const n = this.sim?.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node '${name ?? ''}' (nodes: ${this.setup?.config.nodes.join(' ') ?? ''})`);
    return n;
  }

  private group(name: string | undefined): GroupId {
    const g = this.setup?.config.resourceGroups.find((x) => x.id === name);
    if (!g) throw new Error(`no group '${name ?? ''}'`);
    return g.id;
  }

  /** `medium=N` (index from 0) or `medium=<id>`; all media when absent. */
  private media(a: Args): MediumId[] {
    const all = this.setup?.config.media.map((m) => m.id) ?? [];
    const spec = a.kv.get('medium');
    if (spec === undefined) return all;
    const id = /^\d+$/.test(spec) ? all[Number(spec)] : all.find((m) => m === spec);
    if (id === undefined)
      throw new Error(`no medium '${spec}' (media: ${all.join(' ')}, or 0-${all.length - 1})`);
    return [id];
  }
}
