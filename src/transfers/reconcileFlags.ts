/** errorCode of an unknown transfer that only a human can settle: never resent, never adopted by a guess. */
export const AMBIGUOUS = 'RECONCILE_AMBIGUOUS';
