import { z } from 'zod';
import { parseBankBody } from './accountsApi';
import type { BankHttpClient } from './httpClient';
import { allStatusPages, periodPageFetcher, periodPaging, statusPages } from './statusPaging';

/** GMO's transferDateHolidayCode: what the bank does with a 振込指定日 that is not a business day (1 翌営業日, 2 前営業日, 3 エラー返却). */
export type HolidayCode = '1' | '2' | '3';

/** GMO's TransferRequest for one item (amounts and codes as strings, as on the wire). */
export interface TransferRequestBody {
  accountId: string;
  transferDesignatedDate: string;
  transferDateHolidayCode: HolidayCode;
  totalCount: '1';
  totalAmount: string;
  transfers: [
    {
      itemId: '1';
      transferAmount: string;
      ediInfo?: string;
      beneficiaryBankCode: string;
      beneficiaryBankName?: string;
      beneficiaryBranchCode: string;
      beneficiaryBranchName?: string;
      accountTypeCode: string;
      accountNumber: string;
      beneficiaryName: string;
    },
  ];
}

const feeResponse = z.object({
  accountId: z.string(),
  totalFee: z.string(),
  transferFeeDetails: z.array(z.object({ itemId: z.coerce.string().optional(), transferFee: z.string() })).optional(),
});

const requestResponse = z.object({
  accountId: z.string(),
  resultCode: z.string(),
  applyNo: z.string(),
  applyEndDatetime: z.string().optional(),
});
export type TransferRequestResponse = z.infer<typeof requestResponse>;

const requestResultResponse = requestResponse;

// Every nested field of the status answer is optional in GMO's spec: parse defensively.
const transferInfo = z.object({
  transferAmount: z.string().optional(),
  ediInfo: z.string().optional(),
  beneficiaryBankCode: z.string().optional(),
  beneficiaryBranchCode: z.string().optional(),
  accountTypeCode: z.string().optional(),
  accountNumber: z.string().optional(),
  beneficiaryName: z.string().optional(),
  unableDetailInfos: z.array(z.object({ transferDetailStatus: z.string().optional(), refundStatus: z.string().optional() })).optional(),
});
const transferDetail = z.object({
  transferStatus: z.string().optional(),
  transferStatusName: z.string().optional(),
  transferDetailFee: z.string().optional(),
  totalDebitAmount: z.string().optional(),
  transferApplies: z.array(z.object({ applyNo: z.string().optional() })).optional(),
  transferResponses: z
    .array(z.object({ accountId: z.string().optional(), transferDesignatedDate: z.string().optional(), transferInfos: z.array(transferInfo).optional() }))
    .optional(),
});
export type BankTransferDetail = z.infer<typeof transferDetail>;
const statusResponse = z.object({
  acceptanceKeyClass: z.string(),
  count: z.string(),
  transferQueryBulkResponses: periodPaging,
  transferDetails: z.array(transferDetail).optional(),
});

const cancelResponse = z.object({ accountId: z.string(), resultCode: z.string(), applyNo: z.string() });

/** 振込 endpoints. None of these retries: see BankHttpClient. */
export class TransfersApi {
  constructor(private readonly http: BankHttpClient) {}

  async fee(accessToken: string, body: TransferRequestBody): Promise<{ totalFee: number }> {
    const res = await this.http.send({ method: 'POST', path: '/transfer/transferfee', accessToken, body });
    return { totalFee: Number(parseBankBody(feeResponse, res.body, 'POST /transfer/transferfee').totalFee) };
  }

  async request(accessToken: string, body: TransferRequestBody, idempotencyKey: string): Promise<TransferRequestResponse> {
    const res = await this.http.send({ method: 'POST', path: '/transfer/request', accessToken, body, headers: { 'Idempotency-Key': idempotencyKey } });
    return parseBankBody(requestResponse, res.body, 'POST /transfer/request');
  }

  async requestResult(accessToken: string, accountId: string, applyNo: string): Promise<TransferRequestResponse> {
    const res = await this.http.send({ method: 'GET', path: '/transfer/request-result', accessToken, query: { accountId, applyNo } });
    return parseBankBody(requestResultResponse, res.body, 'GET /transfer/request-result');
  }

  async statusByApplyNo(accessToken: string, accountId: string, applyNo: string): Promise<BankTransferDetail | undefined> {
    const res = await this.http.send({ method: 'GET', path: '/transfer/status', accessToken, query: { accountId, queryKeyClass: '1', applyNo } });
    return parseBankBody(statusResponse, res.body, 'GET /transfer/status').transferDetails?.[0];
  }

  /** Every transfer applied for in the window (振込申請受付日), following the nested paging, bounded. */
  statusByPeriod(accessToken: string, accountId: string, dateFrom: string, dateTo: string, maxPages = 20): Promise<BankTransferDetail[]> {
    return allStatusPages(this.periodPage(accessToken, accountId, dateFrom, dateTo), maxPages, `GET /transfer/status ${dateFrom}..${dateTo}`);
  }

  /** The same query page by page (500 transfers each), for a reader that may stop early. */
  statusPagesByPeriod(accessToken: string, accountId: string, dateFrom: string, dateTo: string, maxPages: number): AsyncGenerator<BankTransferDetail[]> {
    return statusPages(this.periodPage(accessToken, accountId, dateFrom, dateTo), maxPages, `GET /transfer/status ${dateFrom}..${dateTo}`);
  }

  private periodPage(accessToken: string, accountId: string, dateFrom: string, dateTo: string) {
    return periodPageFetcher(
      this.http,
      '/transfer/status',
      (body) => {
        const parsed = parseBankBody(statusResponse, body, 'GET /transfer/status');
        return { items: parsed.transferDetails ?? [], paging: parsed.transferQueryBulkResponses };
      },
      { accessToken, accountId, dateFrom, dateTo },
    );
  }

  async cancel(accessToken: string, accountId: string, applyNo: string): Promise<{ resultCode: string }> {
    const res = await this.http.send({
      method: 'POST',
      path: '/transfer/cancel',
      accessToken,
      // 2 = 振込受付取消: the only class an account without ビジネスID管理 may use
      body: { accountId, cancelTargetKeyClass: '2', applyNo },
    });
    return parseBankBody(cancelResponse, res.body, 'POST /transfer/cancel');
  }
}
