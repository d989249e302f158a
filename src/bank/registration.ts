import type { ClientAuthMethod } from '../config';

/** The client credentials one OAuth flow uses: the vendor's from config, or a company's own. */
export interface ClientRegistration {
  owner: 'vendor' | 'company';
  clientId: string;
  clientSecret: string;
  authMethod: ClientAuthMethod;
  scopes: string[];
  pkce: boolean;
}
