// The lookup `hbts check` and the daemon's host checks use (moved here from config, which no
// longer has its own copy): the runner's resolver with the system's default directories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourceLocator } from '../../../src/resources/index.js';

void test(
  'resourceLocator: installed OCF agents are found through OCF:: and ocf:provider:type',
  {
    skip: existsSync('/usr/lib/ocf/resource.d/heartbeat/Dummy')
      ? false
      : 'resource-agents (OCF Dummy) not installed',
  },
  () => {
    const configDir = mkdtempSync(join(tmpdir(), 'hbts-locate-'));
    try {
      mkdirSync(join(configDir, 'conf', 'OCF', 'Dummy'), { recursive: true });
      writeFileSync(join(configDir, 'conf', 'OCF', 'Dummy', 'web'), 'OCF_RESKEY_state=/tmp/x\n');
      const locate = resourceLocator();
      assert.deepEqual(locate({ raw: 'OCF::Dummy::web', agent: 'OCF', args: ['Dummy', 'web'] }, configDir), {
        ok: true,
        kind: 'ocf',
        where: '/usr/lib/ocf/resource.d/heartbeat/Dummy (OCF, instance web)',
      });
      const noInstance = locate({ raw: 'OCF::Dummy::db', agent: 'OCF', args: ['Dummy', 'db'] }, configDir);
      assert.equal(noInstance.ok, false);
      if (!noInstance.ok)
        assert.match(noInstance.error, /cannot read OCF instance file .*conf\/OCF\/Dummy\/db/);
      const direct = locate(
        { raw: 'ocf:heartbeat:Dummy::state=/tmp/x', agent: 'ocf:heartbeat:Dummy', args: ['state=/tmp/x'] },
        configDir,
      );
      assert.equal(direct.ok, true);
      if (direct.ok)
        assert.match(direct.where, /^\/usr\/lib\/ocf\/resource\.d\/heartbeat\/Dummy \(OCF, instance /);
      assert.deepEqual(locate({ raw: '198.18.0.1', agent: 'IPaddr', args: ['198.18.0.1'] }, '/nonexistent'), {
        ok: true,
        kind: 'builtin-ip',
        where: 'built-in IPaddr',
      });
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  },
);
