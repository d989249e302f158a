import type { BankErrorDetail } from '../bank/errors';
import type { FieldIssue } from '../domain/errors';

/** The bank's item-level errors (TransferError.transferErrorDetails) named as our request's fields: itemId n is `items.<n-1>`. */
export function bankItemIssues(details: readonly BankErrorDetail[]): FieldIssue[] {
  return details.map((d) => ({ field: d.itemId && /^\d+$/.test(d.itemId) ? `items.${Number(d.itemId) - 1}` : 'items', reason: `${d.code}: ${d.message}` }));
}
