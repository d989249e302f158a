import { Cipher, DecryptionError, sealingAad } from '../../src/crypto/cipher';
import { parseKeyRing } from '../../src/crypto/keyRing';

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');

describe('key ring', () => {
  test('the first key is active and every key decrypts', () => {
    const ring = parseKeyRing(`new:${key(2)}, old:${key(1)}`);
    expect(ring.active.id).toBe('new');
    expect(ring.byId('old')?.material.equals(Buffer.alloc(32, 1))).toBe(true);
  });

  test.each([
    ['', 'at least one key'],
    ['nokey', 'id:base64key'],
    [`bad id!:${key(1)}`, 'key id'],
    ['short:c2hvcnQ=', 'exactly 32 bytes'],
    [`a:${key(1)},a:${key(2)}`, 'unique'],
  ])('rejects %j', (raw, message) => {
    expect(() => parseKeyRing(raw)).toThrow(message);
  });
});

describe('AES-256-GCM cipher', () => {
  const aad = sealingAad('production', 'C1', 'access');

  test('round-trips, never stores the plaintext, and uses a fresh IV each time', () => {
    const cipher = new Cipher(parseKeyRing(`k1:${key(1)}`));
    const a = cipher.seal('sHRSU6prFacq9xoElWKcrSOtEu5wM9sB', aad);
    const b = cipher.seal('sHRSU6prFacq9xoElWKcrSOtEu5wM9sB', aad);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(Buffer.from(a.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(a.tag, 'base64')).toHaveLength(16);
    expect(JSON.stringify(a)).not.toContain('sHRSU6prFacq9xoElWKcrSOtEu5wM9sB');
    expect(Buffer.from(a.ciphertext, 'base64').toString('latin1')).not.toContain('sHRSU6pr');
    expect(cipher.open(a, aad)).toBe('sHRSU6prFacq9xoElWKcrSOtEu5wM9sB');
  });

  test.each([
    ['another company', sealingAad('production', 'C2', 'access')],
    ['another kind', sealingAad('production', 'C1', 'refresh')],
    ['another environment', sealingAad('staging', 'C1', 'access')],
  ])('a ciphertext moved to %s fails to decrypt', (_what, otherAad) => {
    const cipher = new Cipher(parseKeyRing(`k1:${key(1)}`));
    const sealed = cipher.seal('secret-token', aad);
    expect(() => cipher.open(sealed, otherAad)).toThrow(DecryptionError);
  });

  test('a tampered ciphertext or tag fails', () => {
    const cipher = new Cipher(parseKeyRing(`k1:${key(1)}`));
    const sealed = cipher.seal('secret-token', aad);
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0] ^= 1;
    expect(() => cipher.open({ ...sealed, ciphertext: flipped.toString('base64') }, aad)).toThrow(DecryptionError);
    expect(() => cipher.open({ ...sealed, tag: Buffer.alloc(16).toString('base64') }, aad)).toThrow(DecryptionError);
  });

  test('rotation: a token sealed under the old key still opens once a new active key is added, and reseal moves it', () => {
    const before = new Cipher(parseKeyRing(`k1:${key(1)}`));
    const sealed = before.seal('refresh-token-value', aad);
    const after = new Cipher(parseKeyRing(`k2:${key(2)},k1:${key(1)}`));
    expect(after.open(sealed, aad)).toBe('refresh-token-value');
    const moved = after.reseal(sealed, aad);
    expect(moved.keyId).toBe('k2');
    expect(new Cipher(parseKeyRing(`k2:${key(2)}`)).open(moved, aad)).toBe('refresh-token-value');
  });

  test('a key id that is no longer configured is a clear error', () => {
    const sealed = new Cipher(parseKeyRing(`gone:${key(9)}`)).seal('x', aad);
    expect(() => new Cipher(parseKeyRing(`k1:${key(1)}`)).open(sealed, aad)).toThrow('key id "gone" is not in TOKEN_ENCRYPTION_KEYS');
  });
});
