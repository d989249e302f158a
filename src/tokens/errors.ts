import { DomainError } from '../domain/errors';

/** The company has no usable bank connection: it never connected, or disconnected. */
export class NotConnectedError extends DomainError {
  constructor(readonly companyId: string) {
    super('the company has no bank connection');
  }
}

/** The bank no longer accepts the company's tokens: the store owner must consent again. */
export class ReauthorizationRequiredError extends DomainError {
  constructor(
    readonly companyId: string,
    readonly reason: string,
  ) {
    super(`the bank connection needs the store owner's consent again (${reason})`);
  }
}

/** Another instance held the refresh lease for longer than we were prepared to wait. */
export class RefreshBusyError extends DomainError {
  constructor() {
    super('another instance is refreshing the tokens; try again shortly');
  }
}

/** The company's bank connection row does not exist (it never connected). */
export class ConnectionNotFoundError extends DomainError {
  constructor() {
    super('This company has no bank connection yet: create a connect session.');
  }
}
