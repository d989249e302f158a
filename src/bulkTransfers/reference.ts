/**
 * Our 振込データ名 when the caller gives none: `RB` + 8 characters of the batch id (GMO allows 10). With the
 * account, totals and apply date it singles out the batch at the bank, which makes reconciliation exact.
 */
export function ourBulkReference(bulkTransferId: string): string {
  return `RB${bulkTransferId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;
}

export function carriesOurBulkReference(b: { id: string; transferDataName: string }): boolean {
  return b.transferDataName === ourBulkReference(b.id);
}
