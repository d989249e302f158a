import { addDays, addMonths, jstDate, jstDayStart, monthStart } from '../jst';
import type { SeedAccount } from '../seed';
import { GMO_AOZORA_BANK_CODE, lookupBranch } from '../zengin';

/** §7 code tables. */
export const VA_TYPE_NAMES = { '1': '期限型', '2': '継続型' } as const;
export const VA_STATUS_NAMES = { '1': '利用可能', '2': '停止中', '3': '削除済' } as const;
export type VaTypeCode = keyof typeof VA_TYPE_NAMES;
export type VaStatusCode = keyof typeof VA_STATUS_NAMES;

/** vaStatusChangeCode (1 停止, 2 再開, 3 削除): the status it leads to and the statuses it may start from. */
const CHANGES = {
  '1': { to: '2', from: ['1'] },
  '2': { to: '1', from: ['2'] },
  '3': { to: '3', from: ['1', '2'] },
} as const satisfies Record<string, { to: VaStatusCode; from: readonly VaStatusCode[] }>;
export type VaChangeCode = keyof typeof CHANGES;

/** vaStatusChangePossibleCode: 1 停止・削除 (in use), 2 再開・削除 (stopped), 3 該当なし (deleted): the codes line up with the statuses. */
export function changePossibleCode(status: VaStatusCode): '1' | '2' | '3' {
  return status;
}

/** [I] The branch VAs are opened at: the spec's examples use 502 あじさい. */
export const VA_BRANCH_CODE = '502';
/** [I] A 期限型 VA takes deposits until the end of the 30th day after its issue. */
const EXPIRY_DAYS = 30;
/** "追加名義カナで指定できる文字数 = 40 - 振込入金口座名義の文字数": a VA's whole name is at most 40 characters. */
const MAX_HOLDER_NAME = 40;

export interface VirtualAccount {
  /** branch code + account number, like the spec's 5021099622 */
  vaId: string;
  branchCode: string;
  accountNumber: string;
  holderNameKana: string;
  typeCode: VaTypeCode;
  status: VaStatusCode;
  issuedAt: Date;
  /** 期限型 only */
  expiresAt?: Date;
  statusChangedAt?: Date;
  closedAt?: Date;
  /** the 入金口座 its deposits are credited to */
  raId: string;
  ownerId: string;
  latestDeposit?: { date: string; amount: number; countThatDay: number };
}

/** The VA branch in the forms the API shows: kanji name with 支店 (the spec's あじさい支店) and half-width kana. */
export function vaBranch(va: VirtualAccount): { branchName: string; branchNameKana: string } {
  const branch = lookupBranch(GMO_AOZORA_BANK_CODE, va.branchCode);
  return { branchName: `${branch?.branchNameKanji ?? ''}支店`, branchNameKana: branch?.branchNameKana ?? '' };
}

/**
 * The VA holder name: the account's kana name with the 追加名義 after it (position 1) or before it (2). A name
 * ending in an open abbreviation such as `(ｶ` is closed before the addition (the spec's `ｼﾞ-ｴﾑｵ-ｱｵｿﾞﾗ(ｶ)ﾃｽﾄﾆﾕｳｷﾝｸﾞﾁ`);
 * past 40 characters the addition loses its end.
 */
export function holderName(base: string, extra: string | undefined, position: '1' | '2'): string {
  if (!extra) return base;
  const separator = position === '1' && /\([^)]*$/.test(base) ? ')' : '';
  const room = Math.max(0, MAX_HOLDER_NAME - base.length - separator.length);
  const kept = extra.slice(0, room);
  return position === '1' ? `${base}${separator}${kept}` : `${kept}${base}`;
}

/** The virtual accounts (振込入金口座) of every user, in issue order. */
export class VirtualAccounts {
  private readonly issued: VirtualAccount[] = [];
  private readonly byId = new Map<string, VirtualAccount>();
  /** per user, the contract's end after a close request: the first instant of the next JST month */
  private readonly closing = new Map<string, { acceptDate: string; endsAt: Date; ended: boolean }>();
  private seq = 0;

  issue(ownerId: string, ra: SeedAccount, typeCode: VaTypeCode, count: number, holderNameKana: string, now: Date): VirtualAccount[] {
    const expiresAt = typeCode === '1' ? new Date(jstDayStart(addDays(jstDate(now), EXPIRY_DAYS + 1)).getTime() - 1000) : undefined;
    const created: VirtualAccount[] = [];
    for (let i = 0; i < count; i++) {
      // [I] account numbers count up from 1000001 at the VA branch
      const accountNumber = String(1_000_000 + ++this.seq);
      const va: VirtualAccount = {
        vaId: `${VA_BRANCH_CODE}${accountNumber}`,
        branchCode: VA_BRANCH_CODE,
        accountNumber,
        holderNameKana,
        typeCode,
        status: '1',
        issuedAt: now,
        expiresAt,
        raId: ra.accountId,
        ownerId,
      };
      this.issued.push(va);
      this.byId.set(va.vaId, va);
      created.push(va);
    }
    return created;
  }

  ofUser(userId: string): VirtualAccount[] {
    return this.issued.filter((va) => va.ownerId === userId);
  }

  /** A VA of this user; another user's is as unknown as a missing one. */
  find(userId: string, vaId: string): VirtualAccount | undefined {
    const va = this.byId.get(vaId);
    return va?.ownerId === userId ? va : undefined;
  }

  /** The VA a transfer to GMO Aozora with this branch and number reaches. */
  at(branchCode: string, accountNumber: string): VirtualAccount | undefined {
    return this.byId.get(`${branchCode}${accountNumber}`);
  }

  byVaId(vaId: string): VirtualAccount | undefined {
    return this.byId.get(vaId);
  }

  canChange(va: VirtualAccount, code: VaChangeCode): boolean {
    return (CHANGES[code].from as readonly VaStatusCode[]).includes(va.status);
  }

  /** The caller checked canChange for every VA. */
  change(vas: readonly VirtualAccount[], code: VaChangeCode, now: Date): void {
    for (const va of vas) {
      va.status = CHANGES[code].to;
      va.statusChangedAt = now;
      if (va.status === '3') va.closedAt = now;
    }
  }

  /** [I] Deposits reach a VA that is in use and, for a 期限型, not past its expiry; the bank returns any other. */
  usable(va: VirtualAccount, now: Date): boolean {
    return va.status === '1' && (va.expiresAt === undefined || now <= va.expiresAt);
  }

  recordDeposit(va: VirtualAccount, amount: number, at: Date): void {
    const date = jstDate(at);
    const sameDay = va.latestDeposit?.date === date ? va.latestDeposit.countThatDay : 0;
    va.latestDeposit = { date, amount, countThatDay: sameDay + 1 };
  }

  /** 解約申込: false when one was already accepted. The contract ends at the end of this JST month. */
  requestClose(userId: string, now: Date): boolean {
    if (this.closing.has(userId)) return false;
    const acceptDate = jstDate(now);
    this.closing.set(userId, { acceptDate, endsAt: jstDayStart(addMonths(monthStart(acceptDate), 1)), ended: false });
    return true;
  }

  /** The user's VA contract has ended: nothing more can be issued. */
  contractEnded(userId: string): boolean {
    return this.closing.get(userId)?.ended ?? false;
  }

  /** At a contract's end every VA of the user is deleted, at the time it was due. */
  advance(now: Date): void {
    for (const [userId, close] of this.closing) {
      if (close.ended || now < close.endsAt) continue;
      close.ended = true;
      for (const va of this.ofUser(userId)) {
        if (va.status === '3') continue;
        va.status = '3';
        va.statusChangedAt = close.endsAt;
        va.closedAt = close.endsAt;
      }
    }
  }
}
