import type { Keyring } from '../../model/keyring.ts';
import type { SigningKeysRepository } from '../../store/signing-keys-repository.ts';
import { openStore } from '../../store/store.ts';
import { identityKeyring, type IdentityConfig } from './create-identity.ts';
import { identityKeyId, openPrivateKey, sealPrivateKey, sealedKeyId } from './seal-private-key.ts';
import { SEALED_SETTINGS, isSealedUnder, openSetting, sealSetting } from './sealed-setting.ts';

/** What {@link resealSigningKeys} did. */
export interface ResealReport {
  /** Keys re-sealed under the current key (sealed under a previous one, or before keyrings). */
  resealed: number;
  /** Keys stored; those not re-sealed were under the current key already. */
  total: number;
  /** Secret settings (callback-token and run-token keys) sealed under the current key (plain or under a previous). */
  settingsResealed: number;
  /** Secret settings stored. */
  settingsTotal: number;
  /** The current key's id (a hash, never the key). */
  keyId: string;
}

/**
 * A key rotation's store half: every OIDC signing key (and secret setting: the callback-token and run-token keys,
 * sealed or still plain) not sealed under the ring's current key is opened (with the
 * previous key it names, or, sealed before keyrings, whichever opens it) and sealed again under the current key, in
 * one transaction. A key no key of the ring opens stops it with INTERNAL and nothing is written. Running it twice
 * re-seals nothing the second time.
 */
export async function resealSigningKeys(
  repository: Pick<SigningKeysRepository, 'resealAll'>,
  ring: Keyring,
): Promise<ResealReport> {
  const keyId = identityKeyId(ring.current);
  const counts = await repository.resealAll(
    (key) =>
      sealedKeyId(key.sealedPrivateKey) === keyId
        ? undefined
        : sealPrivateKey(openPrivateKey(key.sealedPrivateKey, ring, key.kid), ring.current, key.kid),
    {
      names: SEALED_SETTINGS,
      reseal: (name, value) =>
        isSealedUnder(value, ring.current)
          ? undefined
          : sealSetting(openSetting(value, ring, name), ring.current, name),
    },
  );
  return { ...counts, keyId };
}

/**
 * `trustgate keys rotate`: opens the store at `location` (migrations run) and re-seals its signing keys under the
 * identity keyring's current key ({@link resealSigningKeys}), the demo's stored key counted as a previous key.
 */
export async function rotateStoreKeys(
  location: { url: string; schema?: string },
  identity: Pick<IdentityConfig, 'keyEncryptionKey' | 'previousKeyEncryptionKeys'>,
): Promise<ResealReport> {
  const store = await openStore(location);
  try {
    return await resealSigningKeys(store.signingKeys, await identityKeyring(identity, store));
  } finally {
    await store.close();
  }
}
