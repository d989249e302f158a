/**
 * Our reference in ediInfo when the caller sends none: derived from the transfer id, so it is unique per
 * transfer and a transfer found at the bank under it is this row and no other.
 */
export function ourReference(transferId: string): string {
  return `RC${transferId.replace(/-/g, '').slice(0, 12).toUpperCase()}`;
}

export function carriesOurReference(t: { id: string; ediInfo: string }): boolean {
  return t.ediInfo === ourReference(t.id);
}
