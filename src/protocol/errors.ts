// Protocol errors. Bad input from the wire is never an exception (it is a rejected packet with a
// reason); these are for an endpoint or authenticator set up with options it cannot work with.

export class ProtocolSetupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProtocolSetupError';
  }
}
