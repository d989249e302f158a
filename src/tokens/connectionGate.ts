import type { EntityManager } from 'typeorm';

/**
 * What the vault needs of a company's bank connection, without knowing where connections live
 * (connections/ implements it, and itself uses the vault: this keeps the two from importing each other).
 */
export interface ConnectionGate {
  /** the connection when usable, else NotConnectedError / ReauthorizationRequiredError */
  usable(companyId: string): Promise<{ clientId: string }>;
  /** which of these companies are connected (refresh-ahead skips the others) */
  connectedAmong(companyIds: string[]): Promise<Set<string>>;
  /** in the transaction that deletes the tokens */
  reauthorizationRequired(em: EntityManager, companyId: string, reason: string): Promise<void>;
  /** in the transaction that stores the refreshed tokens */
  refreshed(em: EntityManager, companyId: string, scopes: string[]): Promise<void>;
}
