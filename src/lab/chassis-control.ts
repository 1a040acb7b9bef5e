// What a simulated BMC (ipmi-bmc.ts) does for OpenIPMI's `chassis_control` protocol: ipmi_sim
// runs its chassis_control program (bmc-chassis.ts) with
//   get <parm>...          -> prints `<parm>:<value>` per parm
//   set <parm> <value>...  -> prints nothing on success
//   check ...              -> not supported (exit 1)
// parm: power (0/1), reset (1 = pulse), boot (none/pxe/default/cdrom/bios), shutdown (soft off),
// identify (interval and force flag).
import { LabError } from './errors.js';
import { powerOff, powerOn, readPowerState } from './node-power.js';
import type { NodePowerSpec } from './node-power.js';

export type ChassisSet =
  | { readonly parm: 'power'; readonly on: boolean }
  | { readonly parm: 'reset' | 'shutdown' }
  | { readonly parm: 'boot'; readonly device: string }
  | { readonly parm: 'identify' };

export type ChassisRequest =
  | { readonly op: 'get'; readonly parms: readonly ('power' | 'boot')[] }
  | { readonly op: 'set'; readonly sets: readonly ChassisSet[] }
  | { readonly op: 'check' };

const bootDevices = new Set(['none', 'pxe', 'default', 'cdrom', 'bios']);

/** The arguments after <bmc-dir>, as ipmi_sim passes them; a LabError naming what is wrong. */
export function parseChassisArgs(args: readonly string[]): ChassisRequest {
  const [op, ...rest] = args;
  if (op === 'check') return { op };
  if (op === 'get') {
    if (rest.length === 0) throw new LabError('get: no parameter given');
    return {
      op,
      parms: rest.map((p) => {
        if (p === 'power' || p === 'boot') return p;
        throw new LabError(`Invalid parameter: ${p}`);
      }),
    };
  }
  if (op !== 'set') throw new LabError(`Unknown operation: ${op ?? '(none)'}`);
  const sets: ChassisSet[] = [];
  for (let i = 0; i < rest.length;) {
    const parm = rest[i];
    const value = rest[i + 1];
    if (value === undefined) throw new LabError(`No value present for parameter ${parm ?? ''}`);
    i += 2;
    if (parm === 'power') {
      if (value !== '0' && value !== '1') throw new LabError(`Invalid power value: ${value}`);
      sets.push({ parm, on: value === '1' });
    } else if (parm === 'reset' || parm === 'shutdown') {
      if (value === '1') sets.push({ parm }); // reset and shutdown are pulses: 0 does nothing
    } else if (parm === 'boot') {
      if (!bootDevices.has(value)) throw new LabError(`Invalid boot value: ${value}`);
      sets.push({ parm, device: value });
    } else if (parm === 'identify') {
      i += 1; // interval and force flag: the lab has no LED to blink
      sets.push({ parm });
    } else throw new LabError(`Invalid parameter: ${parm ?? ''}`);
  }
  if (sets.length === 0 && rest.length === 0) throw new LabError('set: no parameter given');
  return { op, sets };
}

/** What a call printed (stdout, parsed by ipmi_sim) and did (for the BMC's log). */
export interface ChassisResult {
  readonly stdout: string;
  readonly note: string;
}

/** Carry out a request on the node. */
export function runChassis(req: ChassisRequest, spec: NodePowerSpec): ChassisResult {
  if (req.op === 'check') throw new LabError('check is not supported');
  if (req.op === 'get') {
    const lines = req.parms.map((p) =>
      p === 'power' ? `power:${readPowerState(spec) === 'on' ? 1 : 0}` : 'boot:default',
    );
    return { stdout: lines.map((l) => `${l}\n`).join(''), note: lines.join(' ') };
  }
  const notes: string[] = [];
  const off = (): string => {
    const killed = powerOff(spec).killed;
    return `off, killed ${killed.length > 0 ? killed.join(' ') : 'nothing'}`;
  };
  for (const s of req.sets) {
    if ((s.parm === 'power' && !s.on) || s.parm === 'shutdown') notes.push(off());
    else if (s.parm === 'power') {
      powerOn(spec);
      notes.push('on');
    } else if (s.parm === 'reset') {
      // a hard reset: everything running dies, the machine comes straight back (links up)
      notes.push(off());
      powerOn(spec);
      notes.push('on');
    } else notes.push(`${s.parm} ignored`); // boot device, identify LED: nothing to model
  }
  return { stdout: '', note: notes.join('; ') || 'ok' };
}
