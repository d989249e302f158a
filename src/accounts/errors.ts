import { DomainError } from '../domain/errors';

/** Not one of the company's connected accounts (or the bank returned nothing for it). */
export class AccountNotFoundError extends DomainError {
  constructor(detail = "No such account in this company's bank connection.") {
    super(detail);
  }
}
