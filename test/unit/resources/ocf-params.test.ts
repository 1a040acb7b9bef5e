// OCF parameter syntax: the direct ocf:provider:type form and Heartbeat's instance files.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  directInstanceName,
  parseDirectOcfAgent,
  parseDirectOcfParams,
  parseOcfInstanceFile,
} from '../../../src/resources/ocf-params.js';

void describe('direct OCF form', () => {
  void it('splits ocf:provider:type', () => {
    assert.deepEqual(parseDirectOcfAgent('ocf:heartbeat:IPaddr2'), {
      ok: true,
      value: { provider: 'heartbeat', type: 'IPaddr2' },
    });
    assert.equal(parseDirectOcfAgent('IPaddr2'), undefined);
    const bad = parseDirectOcfAgent('ocf:heartbeat');
    assert.equal(bad?.ok, false);
    assert.equal(parseDirectOcfAgent('ocf:a:b:c')?.ok, false);
    assert.equal(parseDirectOcfAgent('ocf:../x:y')?.ok, false);
  });

  void it('turns name=value arguments into OCF_RESKEY_ variables, values kept verbatim', () => {
    assert.deepEqual(parseDirectOcfParams(['ip=198.18.0.10', 'cidr_netmask=24', 'opts=a=b c']), {
      ok: true,
      value: { OCF_RESKEY_ip: '198.18.0.10', OCF_RESKEY_cidr_netmask: '24', OCF_RESKEY_opts: 'a=b c' },
    });
    const bad = parseDirectOcfParams(['ip']);
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error, /expected name=value/);
    assert.equal(parseDirectOcfParams(['1x=2']).ok, false);
  });

  void it('names the instance after the type and values', () => {
    assert.equal(
      directInstanceName('IPaddr2', { ip: '198.18.0.10', cidr_netmask: '24' }),
      'IPaddr2_198.18.0.10_24',
    );
    assert.equal(directInstanceName('Dummy', { state: '/tmp/x y' }), 'Dummy__tmp_x_y');
    assert.equal(directInstanceName('Dummy', {}), 'Dummy');
  });
});

void describe('instance files', () => {
  void it('reads NAME=value lines with comments and quotes', () => {
    const text = [
      '# web address',
      'OCF_RESKEY_ip=198.18.0.10   # the VIP',
      "export OCF_RESKEY_nic='eth0'",
      'OCF_RESKEY_label="web #1"',
      '',
    ].join('\n');
    assert.deepEqual(parseOcfInstanceFile('f', text), {
      ok: true,
      value: { OCF_RESKEY_ip: '198.18.0.10', OCF_RESKEY_nic: 'eth0', OCF_RESKEY_label: 'web #1' },
    });
  });

  void it('refuses what only a shell could evaluate, with file:line', () => {
    for (const line of ['OCF_RESKEY_ip=$(hostname)', 'OCF_RESKEY_a="$HOME"', 'not a line', 'X=a b']) {
      const r = parseOcfInstanceFile('/etc/ha.d/conf/OCF/IPaddr2/web', `# c\n${line}\n`);
      assert.equal(r.ok, false, line);
      if (!r.ok) assert.match(r.error, /^\/etc\/ha\.d\/conf\/OCF\/IPaddr2\/web:2: expected NAME=value/);
    }
  });
});
