export interface ReencryptResult {
  reencrypted: number;
  failed: number;
}

/** Key rotation row by row: one row that cannot be opened never stops the others. */
export async function reencryptEach<T>(rows: T[], reseal: (row: T) => Promise<void>, onFailure: (row: T, err: unknown) => void): Promise<ReencryptResult> {
  const result: ReencryptResult = { reencrypted: 0, failed: 0 };
  for (const row of rows) {
    try {
      await reseal(row);
      result.reencrypted += 1;
    } catch (err) {
      result.failed += 1;
      onFailure(row, err);
    }
  }
  return result;
}
