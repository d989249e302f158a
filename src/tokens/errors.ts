/** The company has no usable bank connection: it never connected, or disconnected. */
export class NotConnectedError extends Error {
  constructor(readonly companyId: string) {
    super('the company has no bank connection');
    this.name = 'NotConnectedError';
  }
}

/** The bank no longer accepts the company's tokens: the store owner must consent again. */
export class ReauthorizationRequiredError extends Error {
  constructor(
    readonly companyId: string,
    readonly reason: string,
  ) {
    super(`the bank connection needs the store owner's consent again (${reason})`);
    this.name = 'ReauthorizationRequiredError';
  }
}

/** Another instance held the refresh lease for longer than we were prepared to wait. */
export class RefreshBusyError extends Error {
  constructor() {
    super('another instance is refreshing the tokens; try again shortly');
    this.name = 'RefreshBusyError';
  }
}
