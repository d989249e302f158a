/**
 * A failure in the service's own language. Services throw these and never choose an HTTP status;
 * `src/http/errorTable.ts` is the one place that turns each of them into an answer.
 */
export abstract class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One field that cannot be used as given, and why (for error bodies that name every bad field at once). */
export interface FieldIssue {
  field: string;
  reason: string;
}
