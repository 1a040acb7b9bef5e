// The daemon's errors, by what failed. Each keeps the error it wraps as `cause`, so a log or a
// debugger can still reach the system error (code, errno, path) behind the one-line message.

/** Anything the daemon throws or rejects with. */
export class DaemonError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** `hbts daemon` cannot start; the CLI prints the message and exits with `exitCode`. */
export class DaemonStartError extends DaemonError {
  constructor(
    message: string,
    /** Exit code: 6 = configuration error (like Heartbeat), 1 = anything else. */
    readonly exitCode: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A file in the state dir (hb_uuid, hb_generation) is corrupt: an operator has to look at it. */
export class StateDirError extends DaemonError {}

/** The control socket: another daemon owns it, or a request got no (or no valid) answer. */
export class ControlSocketError extends DaemonError {}
