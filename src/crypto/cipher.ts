import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors';
import type { KeyRing } from './keyRing';

/** What is stored for one secret: never the plaintext. */
export interface Sealed {
  ciphertext: string; // base64
  iv: string; // base64, 96 bits
  tag: string; // base64, 128 bits
  keyId: string;
}

export class DecryptionError extends DomainError {
  constructor(reason: string) {
    super(`cannot decrypt a stored secret: ${reason}`);
  }
}

/**
 * AES-256-GCM with a fresh random IV per seal. The AAD binds the ciphertext to the row it belongs to
 * (environment|companyId|kind), so a ciphertext copied into another company's row fails to open.
 */
export class Cipher {
  constructor(private readonly ring: KeyRing) {}

  get activeKeyId(): string {
    return this.ring.active.id;
  }

  seal(plaintext: string, aad: string): Sealed {
    const key = this.ring.active;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.material, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      ciphertext: ciphertext.toString('base64'),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      keyId: key.id,
    };
  }

  open(sealed: Sealed, aad: string): string {
    const key = this.ring.byId(sealed.keyId);
    if (!key) throw new DecryptionError(`key id "${sealed.keyId}" is not in TOKEN_ENCRYPTION_KEYS`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.material, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError('authentication failed (wrong key, tampered or moved ciphertext)');
    }
  }

  /** Opens under whichever key sealed it and seals again under the active key (key rotation). */
  reseal(sealed: Sealed, aad: string): Sealed {
    return this.seal(this.open(sealed, aad), aad);
  }
}

export function sealingAad(environment: string, companyId: string, kind: string): string {
  return `${environment}|${companyId}|${kind}`;
}
