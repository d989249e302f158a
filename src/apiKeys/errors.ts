import { DomainError } from '../domain/errors';
import type { Scope } from './scopes';

/** The API key is valid but was not given the scope this route needs (403, never for another company: that is a 404). */
export class InsufficientScopeError extends DomainError {
  constructor(readonly scope: Scope) {
    super(`This API key lacks the scope "${scope}" that this request needs.`);
  }
}
