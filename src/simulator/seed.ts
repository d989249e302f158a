/**
 * The test users the login page offers, as on GMO's application form: a 法人 (listed first and preselected)
 * and a 個人. Each owns its own accounts; a token sees only the accounts of the user who consented.
 * accountId = branch code (3) + 科目 (2) + account number (7), like the spec's 101011234567.
 */

export interface SeedAccount {
  accountId: string;
  branchCode: string;
  branchName: string;
  accountTypeCode: '01' | '02';
  accountNumber: string;
  primaryAccountCode: '1' | '2';
  accountName: string;
  accountNameKana: string;
  transferLimitAmount: number;
  openingBalance: number;
}

export interface SimUser {
  id: string;
  kind: 'corporate' | 'personal';
  /** shown on the login page */
  label: string;
  accounts: SeedAccount[];
}

const CORPORATE_NAME = 'あおぞらテスト商事株式会社';
const CORPORATE_KANA = 'ｱｵｿﾞﾗﾃｽﾄｼﾖｳｼﾞ(ｶ';

export const SEED_USERS: readonly SimUser[] = [
  {
    id: 'corporate-user',
    kind: 'corporate',
    label: `${CORPORATE_NAME}（法人）`,
    accounts: [
      {
        accountId: '101011234567',
        branchCode: '101',
        branchName: '法人営業部',
        accountTypeCode: '01',
        accountNumber: '1234567',
        primaryAccountCode: '1',
        accountName: CORPORATE_NAME,
        accountNameKana: CORPORATE_KANA,
        transferLimitAmount: 5_000_000,
        openingBalance: 50_000_000,
      },
      {
        accountId: '101027654321',
        branchCode: '101',
        branchName: '法人営業部',
        accountTypeCode: '02',
        accountNumber: '7654321',
        primaryAccountCode: '2',
        accountName: CORPORATE_NAME,
        accountNameKana: CORPORATE_KANA,
        transferLimitAmount: 5_000_000,
        openingBalance: 3_000_000,
      },
    ],
  },
  {
    id: 'personal-user',
    kind: 'personal',
    label: '青空　太郎（個人）',
    accounts: [
      {
        accountId: '302010013543',
        branchCode: '302',
        branchName: 'にじいろ支店',
        accountTypeCode: '01',
        accountNumber: '0013543',
        primaryAccountCode: '1',
        accountName: '青空　太郎',
        accountNameKana: 'ｱｵｿﾞﾗ ﾀﾛｳ',
        transferLimitAmount: 500_000,
        openingBalance: 1_000_000,
      },
    ],
  },
];

export function findUser(userId: string): SimUser | undefined {
  return SEED_USERS.find((u) => u.id === userId);
}
