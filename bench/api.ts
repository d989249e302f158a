import type { Stack } from './stack';

/** What the POS sends for every payout: 1,000 yen to a valid zengin beneficiary (みずほ 001, ordinary). */
export const TRANSFER_BODY = JSON.stringify({
  amount: 1000,
  beneficiary: { bankCode: '0005', branchCode: '001', accountType: 'ordinary', accountNumber: '1234567', name: 'ヤマダ タロウ' },
});

/** How each answer ended, e.g. "201", "201 replayed", "409", "network error", to check afterwards. */
export class Outcomes {
  private readonly counts = new Map<string, number>();

  add(outcome: string): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
  }

  only(outcome: string): boolean {
    return this.counts.size === 1 && this.counts.has(outcome);
  }

  toString(): string {
    return [...this.counts].map(([outcome, n]) => `${outcome} ×${n}`).join(', ') || 'none';
  }
}

/** ReCORE's side of the API, over loopback; every answer's body is read so sockets go back to the pool. */
export class Api {
  private readonly base: string;
  private readonly auth: string;

  constructor(stack: Stack) {
    this.base = `${stack.baseUrl}/v1/companies/${stack.companyId}`;
    this.auth = `Bearer ${stack.apiKey}`;
  }

  async postTransfer(idempotencyKey: string, outcomes: Outcomes): Promise<void> {
    try {
      const res = await fetch(`${this.base}/transfers`, {
        method: 'POST',
        headers: { authorization: this.auth, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: TRANSFER_BODY,
      });
      await res.arrayBuffer();
      outcomes.add(res.headers.get('idempotent-replayed') === 'true' ? `${res.status} replayed` : String(res.status));
    } catch {
      outcomes.add('network error');
    }
  }

  async listTransfers(limit: number, outcomes: Outcomes): Promise<void> {
    try {
      const res = await fetch(`${this.base}/transfers?limit=${limit}`, { headers: { authorization: this.auth } });
      const page = (await res.json()) as { items?: unknown[] };
      outcomes.add(`${res.status} with ${page.items?.length ?? 0} items`);
    } catch {
      outcomes.add('network error');
    }
  }
}
