/** 1-digit 預金種別 codes GMO expects for a beneficiary account. */
export const ACCOUNT_TYPE_CODES = { ordinary: '1', current: '2', savings: '4', other: '9' } as const;
export type BeneficiaryAccountType = keyof typeof ACCOUNT_TYPE_CODES;
export const ACCOUNT_TYPE_NAMES: Record<string, BeneficiaryAccountType> = Object.fromEntries(
  Object.entries(ACCOUNT_TYPE_CODES).map(([name, code]) => [code, name as BeneficiaryAccountType]),
);
