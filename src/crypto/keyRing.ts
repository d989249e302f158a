/**
 * TOKEN_ENCRYPTION_KEYS = "id:base64key,id:base64key,…": the first key encrypts, every key decrypts,
 * so a new key can be put in front while rows written under the old one stay readable until re-encrypted.
 */
interface EncryptionKey {
  id: string;
  material: Buffer;
}

export interface KeyRing {
  active: EncryptionKey;
  keys: EncryptionKey[];
  byId(id: string): EncryptionKey | undefined;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/;

export function parseKeyRing(raw: string): KeyRing {
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('must list at least one key as id:base64key');
  const keys = entries.map((entry) => {
    const sep = entry.indexOf(':');
    if (sep < 0) throw new Error('entries must look like id:base64key');
    const id = entry.slice(0, sep);
    if (!KEY_ID.test(id)) throw new Error(`key id "${id}" must be 1-32 characters of A-Z a-z 0-9 _ . -`);
    const encoded = entry.slice(sep + 1);
    const material = Buffer.from(encoded, 'base64');
    if (material.length !== 32 || material.toString('base64') !== encoded) {
      throw new Error(`key "${id}" must be exactly 32 bytes in base64 (openssl rand -base64 32)`);
    }
    return { id, material };
  });
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) throw new Error('key ids must be unique');
  return { active: keys[0], keys, byId: (id) => keys.find((k) => k.id === id) };
}
