import { DomainError, type FieldIssue } from '../domain/errors';

/** A company registration that the bank could not use: each field and why (the API's 400, the CLI's usage error). */
export class RegistrationInvalidError extends DomainError {
  constructor(readonly issues: FieldIssue[]) {
    super(`invalid registration: ${issues.map((i) => `${i.field} ${i.reason}`).join('; ')}`);
  }
}
