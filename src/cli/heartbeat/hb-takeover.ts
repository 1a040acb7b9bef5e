#!/usr/bin/env node
// `hb_takeover [all|local|foreign|failback]`: ask the peer for resource groups (Heartbeat's tool).
import { heartbeatAdmin } from './hb-admin.js';

void heartbeatAdmin('hb_takeover', process.argv.slice(2)).then((code) => (process.exitCode = code));
