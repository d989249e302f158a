import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/auditLog';
import type { Clock } from '../clock';
import type { ClientAuthMethod } from '../config';
import type { ClientRegistration } from '../bank/registration';
import type { Database } from '../db/database';
import { isUniqueViolation } from '../db/errors';
import type { Logger } from '../log';
import { sealingAad, type Cipher } from '../crypto/cipher';
import { reencryptEach, type ReencryptResult } from '../crypto/reencrypt';
import type { FieldIssue } from '../domain/errors';
import { BankAppRegistration } from './appRegistration.entity';
import { RegistrationInvalidError } from './errors';

interface CompanyRegistrationInput {
  clientId: string;
  clientSecret: string;
  authMethod: ClientAuthMethod;
  scopes: string[];
  pkce: boolean;
}

/** A company's registration as the API and the CLI show it: never the client secret. */
interface RegistrationView {
  companyId: string;
  environment: string;
  clientId: string;
  authMethod: ClientAuthMethod;
  scopes: string[];
  pkce: boolean;
  createdAt: string;
  updatedAt: string;
}

const PRINTABLE = /^[\x21-\x7e]+$/;

/**
 * The rules of a company registration, for the CLI and the API alike: what the bank's client settings
 * can be, and `offline_access` (without it the bank issues no refresh token and the connection dies with
 * the first access token).
 */
export function registrationIssues(input: CompanyRegistrationInput): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!input.clientId || input.clientId.length > 128 || !PRINTABLE.test(input.clientId)) {
    issues.push({ field: 'clientId', reason: 'must be 1-128 printable ASCII characters without spaces' });
  }
  if (!input.clientSecret || input.clientSecret.length > 1024 || /[\x00-\x1f\x7f]/.test(input.clientSecret)) {
    issues.push({ field: 'clientSecret', reason: 'must be 1-1024 characters without control characters' });
  }
  if (input.authMethod !== 'post' && input.authMethod !== 'basic') issues.push({ field: 'authMethod', reason: 'must be post or basic' });
  if (!Array.isArray(input.scopes) || input.scopes.length === 0 || input.scopes.some((s) => typeof s !== 'string' || !PRINTABLE.test(s))) {
    issues.push({ field: 'scopes', reason: 'must be scope names without spaces' });
  } else if (!input.scopes.includes('offline_access')) {
    issues.push({ field: 'scopes', reason: 'must include offline_access' });
  } else if (input.scopes.join(' ').length > 512) {
    issues.push({ field: 'scopes', reason: 'must be at most 512 characters together' });
  }
  if (typeof input.pkce !== 'boolean') issues.push({ field: 'pkce', reason: 'must be true or false' });
  return issues;
}

function registrationView(row: BankAppRegistration): RegistrationView {
  return {
    companyId: row.companyId,
    environment: row.environment,
    clientId: row.clientId,
    authMethod: row.authMethod,
    scopes: row.scopes.split(' ').filter(Boolean),
    pkce: row.pkce,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Which client credentials a company's OAuth flow uses: its own when the bank issued it one, else the
 * vendor's from configuration.
 */
export class AppRegistrations {
  constructor(
    private readonly db: Database,
    private readonly cipher: Cipher,
    private readonly clock: Clock,
    private readonly environment: string,
    private readonly vendor: ClientRegistration,
    private readonly log: Logger,
    private readonly audit: AuditLog,
  ) {}

  private aad(companyId: string): string {
    return sealingAad(this.environment, companyId, 'client_secret');
  }

  async resolve(companyId: string): Promise<ClientRegistration> {
    const row = await this.db.manager.findOneBy(BankAppRegistration, { environment: this.environment, companyId });
    if (!row) return this.vendor;
    return {
      owner: 'company',
      clientId: row.clientId,
      clientSecret: this.cipher.open(
        { ciphertext: row.secretCiphertext, iv: row.secretIv, tag: row.secretTag, keyId: row.secretKeyId },
        this.aad(companyId),
      ),
      authMethod: row.authMethod,
      scopes: row.scopes.split(' '),
      pkce: row.pkce,
    };
  }

  /** The company's own registration (never the secret), or undefined when it uses the vendor's. */
  async view(companyId: string): Promise<RegistrationView | undefined> {
    const row = await this.db.manager.findOneBy(BankAppRegistration, { environment: this.environment, companyId });
    return row ? registrationView(row) : undefined;
  }

  /** Stores (or replaces) the company's registration; invalid input is a RegistrationInvalidError and stores nothing. */
  async upsert(companyId: string, input: CompanyRegistrationInput): Promise<{ created: boolean; registration: RegistrationView }> {
    // refused input changes nothing and leaves no audit event (like a request refused at the edge)
    const issues = registrationIssues(input);
    if (issues.length > 0) throw new RegistrationInvalidError(issues);
    return this.audit.track(
      'registration.set',
      companyId,
      () => this.storeRacing(companyId, input),
      (r) => ({
        outcome: 'succeeded',
        resourceId: r.id,
        reason: r.created ? 'created' : 'replaced',
        details: { clientId: r.registration.clientId, authMethod: r.registration.authMethod, scopes: r.registration.scopes.join(' '), pkce: r.registration.pkce },
      }),
    );
  }

  /** Two first PUTs at once: the one that loses the insert replaces what the other stored. */
  private async storeRacing(companyId: string, input: CompanyRegistrationInput): Promise<{ id: string; created: boolean; registration: RegistrationView }> {
    try {
      return await this.store(companyId, input);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return this.store(companyId, input);
    }
  }

  private async store(companyId: string, input: CompanyRegistrationInput): Promise<{ id: string; created: boolean; registration: RegistrationView }> {
    const sealed = this.cipher.seal(input.clientSecret, this.aad(companyId));
    const now = this.clock.now();
    return this.db.transaction(async (em) => {
      const existing = await em.findOneBy(BankAppRegistration, { environment: this.environment, companyId });
      const row = Object.assign(existing ?? new BankAppRegistration(), {
        id: existing?.id ?? randomUUID(),
        environment: this.environment,
        companyId,
        clientId: input.clientId,
        secretCiphertext: sealed.ciphertext,
        secretIv: sealed.iv,
        secretTag: sealed.tag,
        secretKeyId: sealed.keyId,
        authMethod: input.authMethod,
        scopes: input.scopes.join(' '),
        pkce: input.pkce,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      });
      await em.save(row);
      return { id: row.id, created: !existing, registration: registrationView(row) };
    });
  }

  async remove(companyId: string): Promise<boolean> {
    const existing = await this.db.manager.findOneBy(BankAppRegistration, { environment: this.environment, companyId });
    const result = await this.db.transaction((em) => em.delete(BankAppRegistration, { environment: this.environment, companyId }));
    const removed = (result.affected ?? 0) > 0;
    await this.audit.record({
      action: 'registration.remove',
      companyId,
      resourceId: existing?.id ?? null,
      outcome: removed ? 'succeeded' : 'failed',
      reason: removed ? null : 'not_found',
    });
    return removed;
  }

  /** Re-seals every stored client secret under the active key (key rotation). */
  async reencryptAll(): Promise<ReencryptResult> {
    const rows = await this.db.manager.find(BankAppRegistration, { where: { environment: this.environment } });
    return reencryptEach(
      rows.filter((row) => row.secretKeyId !== this.cipher.activeKeyId),
      async (row) => {
        const sealed = this.cipher.reseal(
          { ciphertext: row.secretCiphertext, iv: row.secretIv, tag: row.secretTag, keyId: row.secretKeyId },
          this.aad(row.companyId),
        );
        await this.db.transaction((em) =>
          em.update(BankAppRegistration, { id: row.id }, { secretCiphertext: sealed.ciphertext, secretIv: sealed.iv, secretTag: sealed.tag, secretKeyId: sealed.keyId }),
        );
      },
      (row, err) => this.log.error('client secret could not be re-encrypted', { companyId: row.companyId, err }),
    );
  }

}
