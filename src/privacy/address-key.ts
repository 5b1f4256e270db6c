/**
 * Keyed one-way hashes of client network addresses, so the demand log can tell that several messages came from one
 * address without storing the address: HMAC-SHA256 under a key derived from the data key, truncated to 128 bits.
 * Without the key the hash cannot be reversed or recomputed from a guessed address.
 */
import { createHmac } from 'node:crypto';

export class AddressKeys {
  constructor(private readonly key: Buffer) {}

  /** The address's key: 22 base64url characters, the same for the same address and data key. */
  of(address: string): string {
    return createHmac('sha256', this.key).update(address, 'utf8').digest().subarray(0, 16).toString('base64url');
  }
}
