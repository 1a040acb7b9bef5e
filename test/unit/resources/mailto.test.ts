// Heartbeat's MailTo resource (Debian resource-agents: /etc/ha.d/resource.d/MailTo, a wrapper of
// ocf:heartbeat:MailTo) works as a haresources resource: `MailTo::ADDR::SUBJECT` mails on start
// and on stop, and reports running in between. A fake `mail` first on PATH records each call.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { group, sandbox, sandboxRunner, type Sandbox } from './fixtures.js';

const MAILTO = '/etc/ha.d/resource.d/MailTo';
const skip =
  existsSync(MAILTO) && existsSync('/usr/lib/ocf/resource.d/heartbeat/MailTo')
    ? undefined
    : 'needs Debian packages heartbeat and resource-agents (resource.d/MailTo)';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

void it(
  "Debian's MailTo: a mail on takeover and one on release, status running in between",
  { skip: skip ?? false },
  async () => {
    const bin = join(box.root, 'bin');
    const mails = join(box.root, 'mails');
    box.script(bin, 'mail', `{ echo "mail $*"; cat; echo "--"; } >> '${mails}'`);
    const g = group('alpha', 'MailTo::ops@example.com::WebCluster');
    const { r } = sandboxRunner(box, [g], {
      resourceDir: '/etc/ha.d/resource.d',
      ocfRoot: '/usr/lib/ocf',
      env: { PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`, HA_RSCTMP: box.root },
    });
    assert.equal((await r.probeGroup(g)).state, 'none');
    const res = await r.acquireGroup(g);
    assert.equal(res.ok, true, res.detail);
    const started = readFileSync(mails, 'utf8');
    assert.match(started, /^mail -s WebCluster Takeover in progress at .+ on \S+ ops@example\.com\n/);
    assert.equal((await r.probeGroup(g)).state, 'all', 'a pseudo resource: running after start');
    const rel = await r.releaseGroup(g);
    assert.equal(rel.ok, true, rel.detail);
    const all = readFileSync(mails, 'utf8').slice(started.length);
    assert.match(all, /^mail -s WebCluster Migrating resource away at .+ from \S+ ops@example\.com\n/);
    assert.equal((await r.probeGroup(g)).state, 'none');
  },
);
