// ha.cf lines about other programs: STONITH devices, `respawn`/`failfast` clients and their
// `apiauth` permissions (parsed and checked; respawn clients are run by daemon/respawn-clients.ts).
import type { DirectiveHandler } from './ha-cf-builder.js';
import { splitWords } from './ha-cf-lines.js';

export const stonith: DirectiveHandler = (b, value, { at }) => {
  const [type, configFile, ...extra] = splitWords(value);
  if (type === undefined || configFile === undefined) {
    b.err(
      at,
      'stonith needs a device type and its configuration file, e.g. `stonith baytech /etc/ha.d/conf/stonith.baytech`',
    );
    return;
  }
  if (extra.length > 0) b.warn(at, `stonith takes two values; '${extra.join(' ')}' is ignored`);
  b.stonith.push({ kind: 'stonith', host: '*', type, params: [configFile], at });
};

export const stonithHost: DirectiveHandler = (b, value, { at }) => {
  const [host, type, ...params] = splitWords(value);
  if (host === undefined || type === undefined) {
    b.err(
      at,
      'stonith_host needs a host (or *), a device type and its parameters, e.g. `stonith_host * external/ipmi node2 198.18.0.50 admin secret`',
    );
    return;
  }
  b.stonith.push({ kind: 'stonith_host', host: host === '*' ? '*' : host.toLowerCase(), type, params, at });
};

/** `respawn` and `failfast`: `USER /ABSOLUTE/PATH [ARGS...]`. */
export function clientProgram(name: 'respawn' | 'failfast'): DirectiveHandler {
  return (b, value, { at }) => {
    const [user, path, ...args] = splitWords(value);
    if (user === undefined || path === undefined) {
      b.err(
        at,
        `${name} needs a user and an absolute program path, e.g. \`${name} hacluster /usr/libexec/heartbeat/ipfail\``,
      );
      return;
    }
    if (!path.startsWith('/')) {
      b.err(at, `${name}: the program must be an absolute path, got '${path}'`);
      return;
    }
    b.clients.push({ kind: name, user, path, args, at });
  };
}

export const apiauth: DirectiveHandler = (b, value, { at }) => {
  const [client, ...rest] = splitWords(value);
  if (client === undefined) {
    b.err(at, 'apiauth needs a client name, e.g. `apiauth ipfail uid=hacluster`');
    return;
  }
  const uids: string[] = [];
  const gids: string[] = [];
  for (const word of rest) {
    const m = /^(uid|gid)=(.*)$/.exec(word);
    if (m === null || m[2] === '') {
      b.err(at, `apiauth ${client}: expected uid=user[,user...] or gid=group[,group...], got '${word}'`);
      return;
    }
    (m[1] === 'uid' ? uids : gids).push(...(m[2] ?? '').split(',').filter((x) => x !== ''));
  }
  b.apiauth.push({ client, uids, gids, at });
};
