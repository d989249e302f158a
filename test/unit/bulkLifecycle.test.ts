import { bulkStatusFromBankCode, canMoveBulk, canMoveItem, itemStatusForBatch } from '../../src/bulkTransfers/lifecycle';

describe('a bulk transfer read through the one table of GMO codes', () => {
  test.each([
    ['2', 'submitted'],
    ['11', 'scheduled'],
    ['12', 'processing'],
    ['13', 'processing'],
    ['20', 'completed'],
    ['30', 'completed_with_exceptions'],
    ['40', 'failed'],
    ['3', 'failed'],
    ['5', 'failed'],
    ['8', 'cancelled'],
  ])('%s → %s', (code, status) => {
    expect(bulkStatusFromBankCode(code)?.status).toBe(status);
  });

  test.each(['22', '24', '25', '26', '99', ''])('%s is not a code of a 総合振込: unmapped, the batch keeps its status', (code) => {
    expect(bulkStatusFromBankCode(code)).toBeUndefined();
  });

  test('batches and items only move forward', () => {
    expect(canMoveBulk('completed', 'completed_with_exceptions')).toBe(true);
    expect(canMoveBulk('completed_with_exceptions', 'completed')).toBe(false);
    expect(canMoveBulk('failed', 'submitted')).toBe(false);
    expect(canMoveBulk('unknown', 'pending')).toBe(true);
    expect(canMoveItem('completed', 'returned')).toBe(true);
    expect(canMoveItem('returned', 'completed')).toBe(false);
    expect(canMoveItem('failed', 'completed')).toBe(false);
    expect(canMoveItem('submitted', 'failed')).toBe(true);
  });

  test('items the bank has not itemised follow the batch', () => {
    expect(itemStatusForBatch('submitted')).toBe('submitted');
    expect(itemStatusForBatch('failed')).toBe('failed');
    expect(itemStatusForBatch('cancelled')).toBe('cancelled');
    expect(itemStatusForBatch('completed')).toBeUndefined();
  });
});
