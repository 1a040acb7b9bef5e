// The read-only status socket, hbts-ro.sock in the run dir, for `cl_status` and `hbts status` run
// by users other than root: Heartbeat's `apiauth` idea, where cl_status works for the members of
// one group (haclient by default; `apiauth cl_status gid=GROUP` in ha.cf names another). It answers
// `status` and `events` only; admin commands stay on the root-only control socket.
import { chmodSync, chownSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterConfig } from '../config/types.js';
import type { ControlRequest } from './control-protocol.js';
import { ControlServer, type ControlHandler } from './control-server.js';
import type { EventLog } from './event-log.js';

export const STATUS_SOCKET_NAME = 'hbts-ro.sock';
export const DEFAULT_STATUS_GROUP = 'haclient';

const READ_ONLY: ReadonlySet<ControlRequest['cmd']> = new Set(['status', 'events']);

/** The gid of a group name (or a number) from /etc/group; undefined: no such group. */
export function groupId(name: string, groupFile = '/etc/group'): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  let text: string;
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [n, , gid] = line.split(':');
    if (n === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

/** The group `apiauth cl_status gid=...` names (its first), else haclient. */
export function statusGroup(config: ClusterConfig): string {
  return config.apiauth?.find((a) => a.client === 'cl_status')?.gids[0] ?? DEFAULT_STATUS_GROUP;
}

export async function openStatusSocket(
  runDir: string,
  config: ClusterConfig,
  handler: ControlHandler,
  log: EventLog,
): Promise<ControlServer> {
  const path = join(runDir, STATUS_SOCKET_NAME);
  const server = await ControlServer.listen(path, (req) =>
    READ_ONLY.has(req.cmd)
      ? handler(req)
      : Promise.resolve({
          ok: false,
          error: `${req.cmd} needs the control socket (root): this one is read-only`,
        }),
  );
  const group = statusGroup(config);
  const gid = groupId(group);
  if (gid === undefined) {
    log.log('info', 'read-only status socket for root only: no such group', { group, socket: path });
    return server;
  }
  try {
    chownSync(path, -1, gid);
    chmodSync(path, 0o660);
    // The group reaches the socket only through a traversable run dir (0711: the systemd unit's
    // RuntimeDirectoryMode). The daemon never loosens its private dir itself; it says so instead.
    const mode = statSync(runDir).mode & 0o7777;
    if ((mode & 0o001) === 0)
      log.log(
        'info',
        'read-only status socket open, but the run dir is not traversable: root only until chmod 0711',
        {
          group,
          socket: path,
          mode: '0' + mode.toString(8),
        },
      );
    else log.log('info', 'read-only status socket open', { group, socket: path });
  } catch (err) {
    log.log('warn', 'read-only status socket stays root-only', { group, error: (err as Error).message });
  }
  return server;
}
