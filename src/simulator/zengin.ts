import { toHalfWidth } from './kana';

interface ZenginEntry {
  code: string;
  name: string;
  kana: string;
}
type ZenginBanks = Record<string, ZenginEntry & { branches: Record<string, ZenginEntry> }>;

export interface BranchInfo {
  bankNameKana: string;
  bankNameKanji: string;
  branchNameKana: string;
  branchNameKanji: string;
}

/** GMO Aozora's own bank code: transfers to it are free and run on any day. */
export const GMO_AOZORA_BANK_CODE = '0310';

let banks: ZenginBanks | undefined;

/** The real bank checks the beneficiary bank and branch against its master; zengin-code is that master offline. */
export function lookupBranch(bankCode: string, branchCode: string): BranchInfo | undefined {
  // Loaded on first use: the data set is 5 MB and most simulator runs never make a transfer.
  banks ??= require('zengin-code') as ZenginBanks;
  const bank = banks[bankCode];
  const branch = bank?.branches[branchCode];
  if (!bank || !branch) return undefined;
  return {
    bankNameKana: toHalfWidth(bank.kana),
    bankNameKanji: bank.name,
    branchNameKana: toHalfWidth(branch.kana),
    branchNameKanji: branch.name,
  };
}
