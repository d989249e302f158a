import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { ClientAuthMethod } from '../config';
import type { ClientRegistration } from '../bank/registration';
import type { Database } from '../db/database';
import type { Logger } from '../log';
import { sealingAad, type Cipher } from '../crypto/cipher';
import { reencryptEach, type ReencryptResult } from '../crypto/reencrypt';
import { BankAppRegistration } from './appRegistration.entity';

export interface CompanyRegistrationInput {
  clientId: string;
  clientSecret: string;
  authMethod: ClientAuthMethod;
  scopes: string[];
  pkce: boolean;
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

  async upsert(companyId: string, input: CompanyRegistrationInput): Promise<void> {
    const sealed = this.cipher.seal(input.clientSecret, this.aad(companyId));
    const now = this.clock.now();
    await this.db.transaction(async (em) => {
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
    });
  }

  async remove(companyId: string): Promise<boolean> {
    const result = await this.db.transaction((em) => em.delete(BankAppRegistration, { environment: this.environment, companyId }));
    return (result.affected ?? 0) > 0;
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
