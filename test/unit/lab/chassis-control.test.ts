// The simulated BMC's pieces that need no namespace: the chassis_control argument protocol of
// OpenIPMI's ipmi_sim, the power state it reports, the generated lan.conf and the node spec file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseChassisArgs, runChassis } from '../../../src/lab/chassis-control.js';
import { ipmiSimLanConf } from '../../../src/lab/ipmi-bmc.js';
import { parseNodePowerSpec } from '../../../src/lab/node-power.js';
import type { NodePowerSpec } from '../../../src/lab/node-power.js';

void describe('chassis_control arguments (as ipmi_sim passes them)', () => {
  void it('parses get and set requests', () => {
    assert.deepEqual(parseChassisArgs(['get', 'power']), { op: 'get', parms: ['power'] });
    assert.deepEqual(parseChassisArgs(['get', 'power', 'boot']), { op: 'get', parms: ['power', 'boot'] });
    assert.deepEqual(parseChassisArgs(['set', 'power', '0']), {
      op: 'set',
      sets: [{ parm: 'power', on: false }],
    });
    assert.deepEqual(parseChassisArgs(['set', 'power', '1', 'boot', 'pxe']), {
      op: 'set',
      sets: [
        { parm: 'power', on: true },
        { parm: 'boot', device: 'pxe' },
      ],
    });
    assert.deepEqual(parseChassisArgs(['set', 'reset', '1']), { op: 'set', sets: [{ parm: 'reset' }] });
    assert.deepEqual(parseChassisArgs(['set', 'reset', '0']), { op: 'set', sets: [] });
    assert.deepEqual(parseChassisArgs(['set', 'identify', '15', '0', 'power', '0']), {
      op: 'set',
      sets: [{ parm: 'identify' }, { parm: 'power', on: false }],
    });
    assert.deepEqual(parseChassisArgs(['check', 'power', '1']), { op: 'check' });
  });

  void it('refuses what it does not know, with the reason', () => {
    const bad: [string[], RegExp][] = [
      [[], /Unknown operation: \(none\)/],
      [['reboot'], /Unknown operation: reboot/],
      [['get'], /no parameter/],
      [['get', 'reset'], /Invalid parameter: reset/],
      [['set'], /no parameter/],
      [['set', 'power'], /No value present for parameter power/],
      [['set', 'power', 'on'], /Invalid power value: on/],
      [['set', 'boot', 'floppy'], /Invalid boot value: floppy/],
      [['set', 'fan', '1'], /Invalid parameter: fan/],
    ];
    for (const [args, msg] of bad) assert.throws(() => parseChassisArgs(args), msg, args.join(' '));
  });
});

void describe('power state reported by the BMC', () => {
  void it('reads the state file (on until told otherwise); check is unsupported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-chassis-'));
    try {
      const spec: NodePowerSpec = {
        node: 'node1',
        ns: 'none',
        sw: 'none',
        links: [],
        pidFile: join(dir, 'pids'),
        stateFile: join(dir, 'power'),
      };
      assert.deepEqual(runChassis(parseChassisArgs(['get', 'power']), spec), {
        stdout: 'power:1\n',
        note: 'power:1',
      });
      writeFileSync(spec.stateFile, 'off\n');
      assert.equal(
        runChassis(parseChassisArgs(['get', 'power', 'boot']), spec).stdout,
        'power:0\nboot:default\n',
      );
      assert.throws(() => runChassis({ op: 'check' }, spec), /not supported/);
      assert.equal(runChassis(parseChassisArgs(['set', 'boot', 'pxe']), spec).note, 'boot ignored');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

void describe('generated ipmi_sim configuration', () => {
  const input = {
    name: 'hbts-node1',
    addr: '198.18.18.101',
    port: 623,
    user: 'admin',
    password: '0123456789ab',
    chassisControl: '/usr/bin/node /x/dist/src/lab/bmc-chassis.js /tmp/hbtsbmc1/node1/bmc',
  };

  void it('listens on the BMC address, one admin user, MD5 or RMCP+ only, our chassis_control', () => {
    const conf = ipmiSimLanConf(input);
    assert.match(conf, /^ {4}addr 198\.18\.18\.101 623$/m);
    assert.match(conf, /^ {2}user 2 true "admin" "0123456789ab" admin 10 md5$/m);
    assert.match(
      conf,
      /^ {2}chassis_control "\/usr\/bin\/node \/x\/dist\/src\/lab\/bmc-chassis\.js \/tmp\/hbtsbmc1\/node1\/bmc"$/m,
    );
    assert.doesNotMatch(conf, /^\s*user 1 /m, 'no anonymous user');
    assert.doesNotMatch(conf, /none|straight/, 'no unauthenticated access');
  });

  void it('refuses values lan.conf or the shell could misread', () => {
    assert.throws(() => ipmiSimLanConf({ ...input, password: 'a"b' }), /password "a"b"/);
    assert.throws(
      () => ipmiSimLanConf({ ...input, chassisControl: '/tmp/my dir/x;rm' }),
      /chassis_control word/,
    );
    assert.throws(() => ipmiSimLanConf({ ...input, password: '12345678901234567' }), /at most 16/);
  });
});

void describe('node power spec file', () => {
  void it('round-trips and names what is missing', () => {
    const spec: NodePowerSpec = {
      node: 'node1',
      ns: 'hbtslab1n1',
      sw: 'hbtslab1sw',
      links: [{ dev: 'eth0', switchEnd: 'n1e0', addr: '198.18.16.1' }],
      pidFile: '/tmp/x/lab-pids',
      stateFile: '/tmp/x/power',
    };
    assert.deepEqual(parseNodePowerSpec(JSON.stringify(spec), 'f.json'), spec);
    assert.throws(() => parseNodePowerSpec('{', 'f.json'), /f\.json: not JSON/);
    assert.throws(() => parseNodePowerSpec('{"node":"n"}', 'f.json'), /f\.json: "links" must be an array/);
    const noNs = JSON.stringify({ ...spec, ns: '' });
    assert.throws(() => parseNodePowerSpec(noNs, 'f.json'), /"ns" must be a non-empty string/);
    const badLink = JSON.stringify({ ...spec, links: [{ dev: 'eth0' }] });
    assert.throws(() => parseNodePowerSpec(badLink, 'f.json'), /links\[0\] needs dev, switchEnd and addr/);
  });
});
