// What each ha.cf directive does, in one or two sentences, for the generated directive reference
// (docs/reference/ha-cf-directives.md) and the hbts-ha.cf(5) man page. Keyed by the directive
// table's names, so a directive added to the table without a description does not compile.
import type { DirectiveName } from './ha-cf-directives.js';

export const DIRECTIVE_DOCS: Readonly<Record<DirectiveName, string>> = {
  node: 'A cluster node, by its `uname -n` name; one line per node or several names on a line. This node must be listed (unless `autojoin any`).',
  keepalive: 'How often a heartbeat is sent on every medium.',
  deadtime: 'How long a peer may be silent before it is declared dead and its groups are taken over.',
  warntime: 'A peer silent this long is reported as late (a warning, nothing moves).',
  initdead: 'At start-up, how long to wait for peers before taking groups whose home node was never heard.',
  deadping: 'How long a ping node may be silent before it is declared dead.',
  udpport: 'The UDP port of the `bcast` and `ucast` media written after it.',
  baud: 'The speed of the `serial` media written after it.',
  bcast: 'Broadcast heartbeats on these interfaces.',
  udp: 'Old name of `bcast`.',
  mcast: 'Multicast heartbeats: interface, group, port, ttl and loop.',
  mcast6: 'IPv6 multicast heartbeats: interface, group, port, hops and loop.',
  ucast:
    "Unicast heartbeats to one peer address through an interface; one line per peer. A line naming this host is ignored, so one ha.cf fits every node. While the link is dead, the peer's ARP entry is flushed every 200 ms, so a link that returns is heard at once (one ARP request per flush).",
  ucast6: 'IPv6 unicast heartbeats to one peer.',
  serial: 'Heartbeats over a serial line (a null-modem cable) on these devices.',
  ping: 'Ping nodes: addresses pinged at the keepalive rate; each is a pseudo-node in status, used by ipfail and as the 2-node quorum tiebreaker.',
  ping6: 'IPv6 ping nodes.',
  ping_group: 'A named group of ping nodes that counts as reachable while any member answers.',
  hopfudge: 'How many hops more than the cluster size a message may travel (relayed) before it is dropped.',
  auto_failback:
    'Whether a group moves back to its home node when that node returns: `on`, `off`, or `legacy` (the old ip-request exchange).',
  nice_failback: 'Obsolete: `on` means `auto_failback off`.',
  stonith: 'A cluster-glue STONITH device for all nodes: plugin type and its configuration file.',
  stonith_host: 'A cluster-glue STONITH device for one node (or `*`): plugin type and its parameters.',
  logfile: 'Log to this file.',
  debugfile: 'Log debug messages to this file too.',
  logfacility: 'Log to syslog with this facility (`none`: not to syslog).',
  debug: 'The debug level; above 0 adds debug lines.',
  max_rexmit_delay: 'The longest wait before a retransmission request is answered, in milliseconds.',
  msgfmt: 'The message encoding: `classic` text or `netstring`.',
  autojoin:
    'Whether nodes missing from the `node` lines may join when they present the cluster key: `none`, `other` or `any`.',
  cluster: 'The cluster name; nodes of different clusters ignore each other.',
  watchdog:
    'A watchdog device kept alive while the daemon is healthy; the host resets when the daemon hangs.',
  respawn:
    'A program run as a user and restarted when it exits; a `.../ipfail` line turns on ipfail, which the daemon does itself.',
  failfast: 'Like `respawn`, but the node restarts when the program fails.',
  apiauth: 'Which users and groups may use a Heartbeat API client.',
  use_logd: 'Log through the logging daemon `ha_logd`.',
  conn_logd_time: 'How often to retry connecting to `ha_logd`.',
  syslogmsgfmt: 'Use the syslog message format in log files too.',
  log_badpack: 'Log packets that fail authentication.',
  realtime: 'Run with real-time scheduling and locked memory.',
  rtprio: 'The real-time priority used when `realtime` is on.',
  memreserve: 'Memory to pre-allocate and lock at start-up.',
  coredumps: 'Allow core dumps of the daemon.',
  coreroot: 'Where core dumps are written.',
  hbgenmethod: 'How the generation number is kept across restarts: in a file, or from the time.',
  uuidfrom: 'Where the node UUID comes from: a file, or the node name.',
  compression: 'Compression for large messages.',
  compression_threshold: 'Messages larger than this are compressed.',
  traditional_compression: 'Compress the whole message (old style) instead of large fields only.',
  env: 'An environment variable for the child processes.',
  crm: 'Hand resource management to Pacemaker (the CRM) instead of haresources.',
  pacemaker: 'Same as `crm`.',
  crm_daemon_dir: 'Where the Pacemaker daemons live.',
  crmd_spawns_pengine: 'Whether the Pacemaker CRM daemon starts the policy engine.',
  record_config_changes: 'Pacemaker: record configuration changes.',
  record_pengine_inputs: 'Pacemaker: record policy engine inputs.',
  enable_config_writes: 'Pacemaker: allow configuration writes.',
  use_apphbd: 'Use the application heartbeat daemon.',
  quorum_server: "A quorum server host (Heartbeat's quorumd).",
  fence:
    'How to fence (power off) a node before its groups are taken over: a fence agent with its parameters, or `sbd` for the disk lock.',
  fence_delay:
    'How long the node with fewer groups waits before fencing, so that two halves of a split cluster do not fence each other.',
  fence_timeout: 'The longest a fence method may run before it counts as failed.',
  disk_lock:
    'A shared SBD disk: this node watches its slot (a poison pill stops it), and `fence <node> sbd` writes to it.',
  monitor:
    'A health check of one resource: its agent status or monitor, an HTTP GET, a TCP connect or a command, every interval with a timeout; a failure restarts the service in place or moves its group (docs/health-checks.md).',
  monitor_policy:
    'How a group reacts to failed checks: restarts in place within a window, then the fail count after which a node gives the group up until `hbts cleanup`.',
  api_listen:
    'Serve the HTTP API, the live dashboard and (without `metrics_listen`) the Prometheus metrics on this address and port; everything needs the bearer token (docs/http-api.md).',
  api_token_file: 'The file holding the API bearer token (mode 600, at least 16 characters).',
  api_cert: 'A PEM certificate: the API is served over HTTPS (needs `api_key`).',
  api_key: 'The private key of `api_cert`.',
  metrics_listen: 'Serve `/metrics` alone, without a token, on this address and port (for Prometheus).',
  quorum:
    'A partition without a majority of the node lines releases its groups and takes none (default on for 3 or more nodes; for 2, a ping node breaks the tie) (docs/ping-nodes-and-quorum.md).',
  ping_policy:
    "`ipfail`: groups move to the nodes that reach the most ping nodes, as Heartbeat's ipfail client does (also turned on by a `respawn ... /ipfail` line); `off`: ping nodes are only watched.",
  notify:
    'A program run once per cluster event, one at a time in event order, without a shell, with the facts in HBTS_* variables (docs/operations-tools.md).',
  notify_timeout: 'How long one notify hook run may take before its process group is killed.',
  arbiter:
    'An etcd lease arbiter: a group is held only while its holder owns a key for it under a lease; losing the lease releases the groups before it can expire for others (docs/etcd-arbiter.md).',
};
