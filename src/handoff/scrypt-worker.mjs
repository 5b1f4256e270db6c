// The task of the password-hashing thread (PasswordHasher): scrypt with node:crypto's synchronous call, so
// the hashing uses this thread alone and never libuv's thread pool (where the database's fsync runs).
// Plain JavaScript: worker threads do not inherit the tsx loader.
import { scryptSync } from 'node:crypto';

export default function derive({ password, salt, N, r, p, keyLength, maxmem }) {
  return scryptSync(password, salt, keyLength, { N, r, p, maxmem });
}
