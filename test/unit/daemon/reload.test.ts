// src/daemon/reload.ts with a stand-in core and media: what is refused changes nothing (no medium
// opened stays open, the core is not told, the config is not committed), and what is applied swaps
// the media in the right order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Medium } from '../../../src/config/media-config.js';
import type { ClusterConfig, MediumId } from '../../../src/config/types.js';
import type { ConfigResult } from '../../../src/daemon/config-result.js';
import type { CoreLike } from '../../../src/daemon/driver.js';
import { reloadConfig, type ReloadShell } from '../../../src/daemon/reload.js';
import { LiveMedia } from '../../../src/daemon/live-media.js';
import { simClusterConfig } from '../../../src/sim/sim-config.js';
import type { Transport } from '../../../src/transport/transport.js';

const running = simClusterConfig({ nodes: 2, keepaliveMs: 100, deadtimeMs: 500 });
const withMedia = (ids: string[]): ClusterConfig => ({
  ...running,
  // the same shape as simClusterConfig's media (a medium compares by its settings)
  media: ids.map(
    (id) =>
      ({
        kind: 'bcast',
        id: id as MediumId,
        iface: id.slice(6),
        port: 694,
        at: { file: 'x', line: 1 },
      }) as Medium,
  ),
});

interface World {
  readonly journal: string[];
  readonly shell: ReloadShell;
  committed: ClusterConfig | undefined;
}

function world(loaded: ConfigResult, refusals: () => string[]): World {
  const journal: string[] = [];
  const transport = (id: MediumId): Transport => ({
    id,
    description: id,
    send: () => undefined,
    close: () => {
      journal.push(`close ${id}`);
      return Promise.resolve();
    },
  });
  const log = { log: (_l: string, what: string) => void journal.push(`log ${what}`) };
  const core = { reloadRefusals: refusals } as unknown as CoreLike;
  const w: World = {
    journal,
    committed: undefined,
    shell: {
      load: () => Promise.resolve(loaded),
      running: () => running,
      activeMedia: (c) => [...c.media],
      core,
      openMedia: (media) => {
        for (const m of media) journal.push(`open ${m.id}`);
        return Promise.resolve(media.map((m) => transport(m.id)));
      },
      media: new LiveMedia([transport(running.media[0]?.id ?? ('?' as MediumId))], log),
      log,
      reconfigure: () => void journal.push('core reconfigured'),
      commit: (c) => {
        journal.push('commit');
        w.committed = c;
      },
    },
  };
  journal.length = 0;
  return w;
}

const ok = (config: ClusterConfig): ConfigResult => ({ ok: true, config, warnings: [], nodeName: 'node1' });

void test('reload: file errors are passed on with their file:line, nothing is touched', async () => {
  const w = world({ ok: false, errors: ['/etc/ha.d/ha.cf:8: unknown directive'] }, () => []);
  const r = await reloadConfig(w.shell);
  assert.equal(r.ok, false);
  assert.match(
    r.message,
    /^reload refused, the running configuration keeps running:\n {2}\/etc\/ha\.d\/ha\.cf:8:/,
  );
  assert.deepEqual(w.journal, []);
});

void test('reload: the core refuses before any medium is opened', async () => {
  const w = world(ok(withMedia(['bcast:sim0', 'bcast:eth9'])), () => ['node node2 is alive']);
  const r = await reloadConfig(w.shell);
  assert.deepEqual([r.ok, r.lines], [false, ['node node2 is alive']]);
  assert.deepEqual(w.journal, []);
  assert.equal(w.committed, undefined);
});

void test('reload: refused after the media opened (the core moved on): the new media are closed again', async () => {
  let asked = 0;
  const w = world(ok(withMedia(['bcast:sim0', 'bcast:eth9'])), () =>
    ++asked === 1 ? [] : ['group g has a acquire in flight'],
  );
  const r = await reloadConfig(w.shell);
  assert.equal(r.ok, false);
  assert.deepEqual(w.journal, ['open bcast:eth9', 'close bcast:eth9']);
  assert.deepEqual(
    w.shell.media.list.map((t) => t.id),
    ['bcast:sim0'],
  );
});

void test('reload: applied: new media open first, the old ones go out of use and close, the core and the config switch', async () => {
  const w = world(ok(withMedia(['bcast:eth9'])), () => []);
  const r = await reloadConfig(w.shell);
  assert.equal(r.ok, true);
  assert.deepEqual(r.lines, ['medium added: bcast:eth9', 'medium removed: bcast:sim0']);
  assert.deepEqual(w.journal, [
    'open bcast:eth9',
    'close bcast:sim0',
    'log medium open',
    'core reconfigured',
    'commit',
    'log medium closed',
  ]);
  assert.deepEqual(
    w.shell.media.list.map((t) => t.id),
    ['bcast:eth9'],
  );
  assert.deepEqual([...w.shell.media.byId.keys()], ['bcast:eth9']);
});
