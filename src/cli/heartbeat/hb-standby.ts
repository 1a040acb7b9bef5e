#!/usr/bin/env node
// `hb_standby [all|local|foreign|failback]`: give resource groups to the peer (Heartbeat's tool).
import { heartbeatAdmin } from './hb-admin.js';

void heartbeatAdmin('hb_standby', process.argv.slice(2)).then((code) => (process.exitCode = code));
