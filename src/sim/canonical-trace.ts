// A canonical, hashable trace of a simulation: every step's output as facts (time, node, packet
// bytes and media, action kinds and groups, event kinds with their node/medium/group, the wake-up),
// never free text. Two runs of the same seed must give the same digest; a refactor of the core that
// keeps behaviour must too (test/fixtures/sim-trace-hashes.json pins it).
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { Output } from '../cluster/types.js';

export class CanonicalTrace {
  private readonly hash: Hash = createHash('sha256');

  record(nowMs: number, node: number, out: Output): void {
    const h = this.hash;
    h.update(`s${nowMs}|${node}|w${out.wakeAtMs}|${out.stopped ? 1 : 0}\n`);
    for (const e of out.events) {
      h.update(`e${e.kind}|${e.level}|${e.node ?? ''}|${e.medium ?? ''}|${e.group ?? ''}\n`);
    }
    for (const a of out.actions) {
      h.update(
        `a${a.kind}|${a.kind === 'announce' || a.kind === 'arbiter-drop' ? '' : a.id}|${a.group}|${a.kind === 'gate' ? a.fromNode : ''}\n`,
      );
    }
    for (const p of out.packets) {
      h.update(`p${p.media?.join(',') ?? '*'}|${p.bytes.length}|`);
      h.update(p.bytes);
      h.update('\n');
    }
  }

  digest(): string {
    return this.hash.copy().digest('hex');
  }
}
