// A stand-in daemon for orphan-scripts.test.ts: runs the start of group `svc` through the real
// resource runner with script records in RECORDS_DIR, and is SIGKILLed by the test while the start
// script runs. Without arguments (a test runner may load it as a test file) it does nothing.
import { ScriptRecords } from '../../../src/daemon/script-records.js';
import { createResourceRunner } from '../../../src/resources/index.js';
import { group, makeConfig, node } from '../resources/fixtures.js';

const [recordsDir, configDir] = process.argv.slice(2);
if (recordsDir !== undefined && configDir !== undefined) {
  const records = new ScriptRecords(recordsDir);
  records.open();
  const svc = group('alpha', 'svc');
  const runner = createResourceRunner({
    config: makeConfig(configDir, [svc]),
    self: node('alpha'),
    log: () => undefined,
    scripts: records,
  });
  void runner.acquireGroup(svc);
}
