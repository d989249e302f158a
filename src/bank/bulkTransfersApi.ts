import { z } from 'zod';
import { parseBankBody } from './accountsApi';
import type { BankHttpClient } from './httpClient';
import { allStatusPages, bankBoolean, periodPageFetcher, periodPaging } from './statusPaging';

/** One item of GMO's BulkTransferRequest (amounts and codes as strings, as on the wire). */
export interface BulkTransferItemBody {
  itemId: string;
  beneficiaryBankCode: string;
  beneficiaryBankName?: string;
  beneficiaryBranchCode: string;
  beneficiaryBranchName?: string;
  accountTypeCode: string;
  accountNumber: string;
  beneficiaryName: string;
  transferAmount: string;
  ediInfo?: string;
  /** Y: the EDI information is passed to the beneficiary */
  identification?: 'Y';
}

export interface BulkTransferRequestBody {
  accountId: string;
  remitterName?: string;
  transferDesignatedDate: string;
  transferDateHolidayCode: string;
  transferDataName: string;
  totalCount: string;
  totalAmount: string;
  bulkTransfers: BulkTransferItemBody[];
}

const feeResponse = z.object({ accountId: z.string(), totalFee: z.string() });

const requestResponse = z.object({ accountId: z.string(), resultCode: z.string(), applyNo: z.string(), applyEndDatetime: z.string().optional() });
export type BulkRequestResponse = z.infer<typeof requestResponse>;

// Every nested field of the status answer is optional in GMO's spec: parse defensively.
const bulkTransferInfo = z.object({
  itemId: z.coerce.string().optional(),
  transferAmount: z.string().optional(),
  ediInfo: z.string().optional(),
  accountNumber: z.string().optional(),
  transferDetailResponses: z.array(z.object({ transferFee: z.string().optional() }).passthrough()).optional(),
  unableDetailInfos: z
    .array(
      z.object({
        transferDetailStatus: z.string().optional(),
        refundStatus: z.string().optional(),
        isRepayment: bankBoolean.optional(),
        repaymentDate: z.string().optional(),
      }),
    )
    .optional(),
});
export type BankBulkItem = z.infer<typeof bulkTransferInfo>;

const bulkTransferDetail = z.object({
  transferStatus: z.string().optional(),
  totalFee: z.string().optional(),
  transferApplies: z.array(z.object({ applyNo: z.string().optional() })).optional(),
  bulktransferResponses: z
    .array(
      z.object({
        accountId: z.string().optional(),
        transferDesignatedDate: z.string().optional(),
        transferDataName: z.string().optional(),
        totalCount: z.string().optional(),
        totalAmount: z.string().optional(),
        bulkTransferInfos: z.array(bulkTransferInfo).optional(),
      }),
    )
    .optional(),
});
export type BankBulkDetail = z.infer<typeof bulkTransferDetail>;

const statusResponse = z.object({
  acceptanceKeyClass: z.string(),
  count: z.string(),
  detailInfoResult: bankBoolean.optional(),
  transferQueryBulkResponses: periodPaging,
  bulkTransferDetails: z.array(bulkTransferDetail).optional(),
});

const cancelResponse = z.object({ accountId: z.string(), resultCode: z.string(), applyNo: z.string() });

/** GMO pages bulk items 500 at a time, `bulktransferItemKey` being the first item's number (1, 501, …). */
export const BULK_ITEMS_PER_PAGE = 500;

/** 総合振込 endpoints. None of these retries: see BankHttpClient. */
export class BulkTransfersApi {
  constructor(private readonly http: BankHttpClient) {}

  async fee(accessToken: string, body: BulkTransferRequestBody): Promise<{ totalFee: number }> {
    const res = await this.http.send({ method: 'POST', path: '/bulktransfer/transferfee', accessToken, body });
    return { totalFee: Number(parseBankBody(feeResponse, res.body, 'POST /bulktransfer/transferfee').totalFee) };
  }

  async request(accessToken: string, body: BulkTransferRequestBody, idempotencyKey: string): Promise<BulkRequestResponse> {
    const res = await this.http.send({ method: 'POST', path: '/bulktransfer/request', accessToken, body, headers: { 'Idempotency-Key': idempotencyKey } });
    return parseBankBody(requestResponse, res.body, 'POST /bulktransfer/request');
  }

  async requestResult(accessToken: string, accountId: string, applyNo: string): Promise<BulkRequestResponse> {
    const res = await this.http.send({ method: 'GET', path: '/bulktransfer/request-result', accessToken, query: { accountId, applyNo } });
    return parseBankBody(requestResponse, res.body, 'GET /bulktransfer/request-result');
  }

  /** The batch's status and totals, without its items. */
  async statusByApplyNo(accessToken: string, accountId: string, applyNo: string): Promise<BankBulkDetail | undefined> {
    const res = await this.http.send({ method: 'GET', path: '/bulktransfer/status', accessToken, query: { accountId, queryKeyClass: '1', applyNo } });
    return parseBankBody(statusResponse, res.body, 'GET /bulktransfer/status').bulkTransferDetails?.[0];
  }

  /**
   * One page of the batch's items from item number `firstItem` on. `ready` is false while the bank has not
   * itemised the batch yet (detailInfoResult false, about 10 minutes after the request).
   */
  async items(accessToken: string, accountId: string, applyNo: string, firstItem: number): Promise<{ ready: boolean; detail?: BankBulkDetail; items: BankBulkItem[] }> {
    const res = await this.http.send({
      method: 'GET',
      path: '/bulktransfer/status',
      accessToken,
      query: { accountId, queryKeyClass: '1', applyNo, detailInfoNecessity: 'true', bulktransferItemKey: String(firstItem) },
    });
    const parsed = parseBankBody(statusResponse, res.body, 'GET /bulktransfer/status (items)');
    const detail = parsed.bulkTransferDetails?.[0];
    return {
      ready: parsed.detailInfoResult === true,
      detail,
      items: detail?.bulktransferResponses?.flatMap((r) => r.bulkTransferInfos ?? []) ?? [],
    };
  }

  /** Every bulk transfer applied for in the window (振込申請受付日), following the nested paging, bounded. */
  statusByPeriod(accessToken: string, accountId: string, dateFrom: string, dateTo: string, maxPages = 20): Promise<BankBulkDetail[]> {
    return allStatusPages(
      periodPageFetcher(
        this.http,
        '/bulktransfer/status',
        (body) => {
          const parsed = parseBankBody(statusResponse, body, 'GET /bulktransfer/status');
          return { items: parsed.bulkTransferDetails ?? [], paging: parsed.transferQueryBulkResponses };
        },
        { accessToken, accountId, dateFrom, dateTo },
      ),
      maxPages,
      `GET /bulktransfer/status ${dateFrom}..${dateTo}`,
    );
  }

  async cancel(accessToken: string, accountId: string, applyNo: string): Promise<{ resultCode: string }> {
    const res = await this.http.send({
      method: 'POST',
      path: '/bulktransfer/cancel',
      accessToken,
      // 4 = 総合振込受付取消: the class an account without ビジネスID管理 may use
      body: { accountId, cancelTargetKeyClass: '4', applyNo },
    });
    return parseBankBody(cancelResponse, res.body, 'POST /bulktransfer/cancel');
  }
}
