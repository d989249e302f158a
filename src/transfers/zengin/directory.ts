/**
 * Bank and branch lookup from the offline zengin-code data set. The data is 5 MB and takes about 160 ms to
 * require, so it is loaded on the first lookup rather than at import time, and only once.
 */
import { normaliseTransferName } from './kana';

interface BankInfo { code: string; name: string; kana: string; hiraName?: string }
export interface BranchInfo { code: string; name: string; kana: string }

type ZenginData = typeof import('zengin-code');

let data: ZenginData | undefined;
function zengin(): ZenginData {
  return (data ??= require('zengin-code') as ZenginData);
}

// Own-property lookups only, so a code such as "__proto__" can never reach Object.prototype.
const lookup = <T>(table: Record<string, T>, code: string): T | undefined =>
  Object.hasOwn(table, code) ? table[code] : undefined;

export function findBank(code: string): BankInfo | undefined {
  if (!/^\d{4}$/.test(code)) return undefined;
  const bank = lookup(zengin(), code);
  return bank && { code: bank.code, name: bank.name, kana: bank.kana, hiraName: bank.hira };
}

export function findBranch(bankCode: string, branchCode: string): BranchInfo | undefined {
  if (!/^\d{4}$/.test(bankCode) || !/^\d{3}$/.test(branchCode)) return undefined;
  const bank = lookup(zengin(), bankCode);
  const branch = bank && lookup(bank.branches, branchCode);
  return branch && { code: branch.code, name: branch.name, kana: branch.kana };
}

/**
 * zengin-code's kana come from the Zengin master, whose names are at most 15 half-width characters, so a
 * failure here means the data set changed shape: fail loudly rather than send a made-up name.
 */
function halfWidthKana(kana: string, maxLength: number): string {
  const key = `${maxLength}:${kana}`;
  const known = converted.get(key);
  if (known !== undefined) return known;
  const result = normaliseTransferName(kana, { maxLength });
  if (!result.ok) throw new Error(`zengin-code kana "${kana}" cannot be sent as a half-width name: ${result.reason}`);
  converted.set(key, result.value);
  return result.value;
}

// The directory is fixed for the life of the process and a bulk transfer names the same banks thousands of
// times: each bank's and branch's conversion is made once (bounded by the ~30,000 branches of the data set).
const converted = new Map<string, string>();

export function bankNameKanaHalfWidth(bank: BankInfo): string {
  return halfWidthKana(bank.kana, 30);
}

export function branchNameKanaHalfWidth(branch: BranchInfo): string {
  return halfWidthKana(branch.kana, 15);
}
