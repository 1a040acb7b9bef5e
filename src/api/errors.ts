// The API listener's errors: it cannot start (token file, certificate, address in use).

/** The HTTP API or metrics listener cannot start; the daemon refuses to start with this message. */
export class ApiStartError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
