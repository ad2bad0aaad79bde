export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly stream: string,
    readonly expected: string,
    readonly actual: number | null,
  ) {
    super(`stream ${stream}: expected revision ${expected}, found ${actual === null ? 'no stream' : actual}`);
  }
}

export class IdempotencyMismatchError extends Error {
  override readonly name = 'IdempotencyMismatchError';
  constructor(
    readonly stream: string,
    readonly detail: string,
  ) {
    super(`stream ${stream}: ${detail}`);
  }
}

/** A dependency (PostgreSQL, EventStoreDB) cannot be reached; the message says how to start it. */
export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';
}
