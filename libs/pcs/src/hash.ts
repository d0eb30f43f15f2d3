import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** Lowercase hex SHA-256 of the UTF-8 bytes of `s`. */
export function sha256Hex(s: string): string {
  return bytesToHex(sha256(utf8ToBytes(s)));
}

/** SHA-256 of the UTF-8 bytes of `s` (the signing digest of a payload, §2.4). */
export function sha256Utf8(s: string): Uint8Array {
  return sha256(utf8ToBytes(s));
}
