/** A usage problem the CLI reports as a one-line message with exit code 2 (bad input), not a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
