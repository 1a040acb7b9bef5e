// The environment resource scripts get.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { buildAgentEnvironment } from '../../../src/resources/environment.js';
import { makeConfig, node } from './fixtures.js';

void describe('agent environment', () => {
  const config = makeConfig('/etc/ha.d', [], {
    debugfile: '/var/log/ha-debug',
    directives: new Map([
      ['keepalive', ['2']],
      ['ucast', ['eth0 198.18.0.2', 'eth1 198.18.1.2']],
      ['weird-name', ['x']],
    ]),
  });

  void it('is clean: only PATH and locale/time variables come from the daemon', () => {
    const env = buildAgentEnvironment({
      config,
      self: node('alpha'),
      resourceDir: '/etc/ha.d/resource.d',
      ocfRoot: '/usr/lib/ocf',
      inherited: { PATH: '/opt/bin', LANG: 'C.UTF-8', SECRET_TOKEN: 'x', HA_STALE: 'old' },
    });
    assert.equal(env.SECRET_TOKEN, undefined);
    assert.equal(env.HA_STALE, undefined);
    assert.equal(env.LANG, 'C.UTF-8');
    assert.equal(env.PATH, '/opt/bin:/usr/sbin:/sbin:/usr/bin:/bin');
  });

  void it('has every directive as HA_<name>, several lines space separated', () => {
    const env = buildAgentEnvironment({
      config,
      self: node('alpha'),
      resourceDir: '/etc/ha.d/resource.d',
      ocfRoot: '/usr/lib/ocf',
      inherited: {},
      extra: { HA_RSCTMP: '/tmp/x' },
    });
    assert.equal(env.HA_keepalive, '2');
    assert.equal(env.HA_ucast, 'eth0 198.18.0.2 eth1 198.18.1.2');
    assert.equal(env.HA_weird_name, 'x');
    assert.equal(env.HA_DEBUGLOG, '/var/log/ha-debug');
    assert.equal(env.HA_LOGFACILITY, 'local0');
    assert.equal(env.HA_RSCTMP, '/tmp/x');
    assert.equal(env.PATH, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  });
});
