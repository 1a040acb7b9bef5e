// How the supervisor starts the daemon's Node process, lean (measured in docs/performance.md):
// - `--max-semi-space-size=1`: V8's young generation grows to 16 MB semi-spaces by default; the
//   daemon allocates little and often (a few small objects per heartbeat), so 1 MB semi-spaces
//   keep its scavenges short and its resident heap about 5 MB smaller, at no CPU cost we could see.
// - `MALLOC_ARENA_MAX=1`: glibc gives each thread that mallocs (V8's GC helpers, libuv's pool) an
//   arena of its own, about 2 MB resident each; the daemon's C-side allocation is small and
//   rarely concurrent, so one arena saves about 5 MB. glibc reads it once at start-up, so the
//   daemon removes it from its environment at once: programs it starts (resource scripts already
//   get a clean environment; `ip -batch`, fence agents, respawn clients) must not inherit it.
// An operator's own setting of either wins: a flag already in execArgv or NODE_OPTIONS, or a
// MALLOC_ARENA_MAX already in the environment, is left alone and kept for the children.

const SEMI_SPACE_FLAG = '--max-semi-space-size';
/** Set by the supervisor when it added MALLOC_ARENA_MAX itself (so the child takes it away again). */
export const ARENA_MARK = 'HBTS_LEAN_MALLOC_ARENA';

/** Node flags for the daemon child: the supervisor's own, plus the lean heap unless already set. */
export function leanNodeArgs(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some(
    (a) =>
      a === SEMI_SPACE_FLAG || a.startsWith(`${SEMI_SPACE_FLAG}=`) || a.startsWith('--max_semi_space_size'),
  );
  return given ? [...execArgv] : [...execArgv, `${SEMI_SPACE_FLAG}=1`];
}

/** The daemon child's environment: the supervisor's, plus one malloc arena unless already set. */
export function leanChildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env['MALLOC_ARENA_MAX'] !== undefined) return { ...env };
  return { ...env, MALLOC_ARENA_MAX: '1', [ARENA_MARK]: '1' };
}

/** In the daemon child, first thing: forget what the supervisor added for this process only. */
export function forgetLeanEnv(env: NodeJS.ProcessEnv): void {
  if (env[ARENA_MARK] !== '1') return;
  delete env['MALLOC_ARENA_MAX'];
  delete env[ARENA_MARK];
}
