// Transport errors: a medium that cannot be opened. The daemon refuses to start (or to reload)
// with the message; the system error behind it, if any, is kept as `cause`.

/** A medium that cannot be opened: the daemon refuses to start (or to reload) with this message. */
export class TransportSetupError extends Error {
  constructor(
    readonly medium: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${medium}: ${message}`, options);
    this.name = 'TransportSetupError';
  }
}
