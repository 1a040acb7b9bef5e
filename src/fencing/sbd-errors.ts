// Errors of the SBD disk lock. Each keeps what it wraps as `cause` where there is one.

/** Anything the SBD code throws or rejects with. */
export class SbdError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A read or write failed, or did not finish in time (`code` 'ETIMEDOUT'), or the device could not be opened. */
export class SbdIoError extends SbdError {
  constructor(
    message: string,
    /** The system error code (ENOENT, EIO...), or ETIMEDOUT for a request that got no answer in time. */
    readonly code?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The device has no valid SBD header (never `sbd create`d, or another format). */
export class SbdFormatError extends SbdError {}

/** A slot problem: no slot for the node, or no free slot left. */
export class SbdSlotError extends SbdError {}
