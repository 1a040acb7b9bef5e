// Errors of the network-namespace lab used by the lab tests and the demo.

/** A lab command failed or the lab was asked for something it does not have. */
export class LabError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Something the lab waited for did not happen in time. */
export class LabTimeoutError extends LabError {}
