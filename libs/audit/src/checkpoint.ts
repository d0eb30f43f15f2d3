import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { AUDIT_ERROR_CODES, FlkAuditError } from './errors.js';
import { concatBytes, HASH_SIZE, nodeSha256, type Sha256 } from './merkle.js';

// Checkpoints (C2SP tlog-checkpoint) signed as C2SP signed-notes with Ed25519, byte-compatible
// with golang.org/x/mod/sumdb/note (docs/audit.md). Pure: values in, values out.
//
//   <origin>\n<tree size>\n<base64 root hash>\n          (the note text)
//   \n
//   — <key name> <base64(key id (4 bytes) || Ed25519 signature over the note text)>\n
//
// Key id = first 4 bytes of SHA-256(key name || 0x0A || 0x01 || 32-byte public key).
// Key strings, as note.GenerateKey prints them:
//   signer   PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || 32-byte seed)>
//   verifier <name>+<8 hex key id>+<base64(0x01 || 32-byte public key)>

const ALG_ED25519 = 0x01;
const SIG_PREFIX = '\u2014 ';
const enc = new TextEncoder();
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

export interface Checkpoint {
  origin: string;
  size: number;
  /** 32-byte root hash. */
  root: Uint8Array;
  /** Extension lines (without "\n"), kept as they were. */
  extensions: string[];
}

export interface NoteVerifierKey {
  name: string;
  keyId: number;
  publicKey: Uint8Array;
  /** The verifier key string (safe to publish). */
  text: string;
}

export interface NoteSignerKey extends NoteVerifierKey {
  seed: Uint8Array;
}

const keyError = (message: string) => new FlkAuditError(AUDIT_ERROR_CODES.BAD_KEY, message);

function b64decode(s: string): Uint8Array | null {
  if (s.length % 4 !== 0 || !B64.test(s)) return null;
  return new Uint8Array(Buffer.from(s, 'base64'));
}
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** A key name is non-empty, has no whitespace and no '+' (signed-note). */
export function isKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !/[\p{C}]/u.test(name);
}

export function noteKeyId(name: string, publicKey: Uint8Array, sha256: Sha256 = nodeSha256): number {
  const h = sha256(concatBytes(enc.encode(name), Uint8Array.of(0x0a, ALG_ED25519), publicKey));
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

function verifierText(name: string, keyId: number, publicKey: Uint8Array): string {
  return `${name}+${hex8(keyId)}+${b64(concatBytes(Uint8Array.of(ALG_ED25519), publicKey))}`;
}

/** A fresh Ed25519 note key named `name`: the signer string (secret) and the verifier string. */
export function generateNoteKey(name: string, seed: Uint8Array = ed25519.utils.randomSecretKey()): { signer: string; verifier: string } {
  if (!isKeyName(name)) throw keyError('key name: must be non-empty, without spaces or "+"');
  const pub = ed25519.getPublicKey(seed);
  const id = noteKeyId(name, pub);
  return {
    signer: `PRIVATE+KEY+${name}+${hex8(id)}+${b64(concatBytes(Uint8Array.of(ALG_ED25519), seed))}`,
    verifier: verifierText(name, id, pub),
  };
}

/** Splits on the first n-1 '+' (base64 may itself contain '+'). */
function splitKey(text: string, n: number): string[] {
  const parts = text.trim().split('+');
  return parts.length < n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join('+')];
}

/** Parses a signer key string. The message never contains the key. */
export function parseSignerKey(text: string): NoteSignerKey {
  const parts = splitKey(text, 5);
  if (parts.length !== 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw keyError('not a signer key (expected PRIVATE+KEY+<name>+<hash>+<key>)');
  const [, , name, idHex, keyB64] = parts as [string, string, string, string, string];
  if (!isKeyName(name)) throw keyError('signer key: bad key name');
  const raw = b64decode(keyB64);
  if (!raw || raw.length !== 33 || raw[0] !== ALG_ED25519) throw keyError('signer key: expected base64 of 0x01 and a 32-byte Ed25519 seed');
  const seed = raw.subarray(1);
  const publicKey = ed25519.getPublicKey(seed);
  const keyId = noteKeyId(name, publicKey);
  if (!/^[0-9a-f]{8}$/.test(idHex) || Number.parseInt(idHex, 16) !== keyId) throw keyError('signer key: key hash does not match the name and key');
  return { name, keyId, publicKey, seed, text: verifierText(name, keyId, publicKey) };
}

/** Parses a verifier key string. */
export function parseVerifierKey(text: string): NoteVerifierKey {
  const parts = splitKey(text, 3);
  if (parts.length !== 3) throw keyError('not a verifier key (expected <name>+<hash>+<key>)');
  const [name, idHex, keyB64] = parts as [string, string, string];
  if (!isKeyName(name)) throw keyError('verifier key: bad key name');
  const raw = b64decode(keyB64);
  if (!raw || raw.length !== 33 || raw[0] !== ALG_ED25519) throw keyError('verifier key: expected base64 of 0x01 and a 32-byte Ed25519 public key');
  const publicKey = raw.subarray(1);
  const keyId = noteKeyId(name, publicKey);
  if (!/^[0-9a-f]{8}$/.test(idHex) || Number.parseInt(idHex, 16) !== keyId) throw keyError('verifier key: key hash does not match the name and key');
  return { name, keyId, publicKey, text: verifierText(name, keyId, publicKey) };
}

// Signing runs in the sink for every checkpoint: node:crypto's Ed25519 (OpenSSL) is many times
// faster than @noble's and, Ed25519 being deterministic, gives byte-identical signatures.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const privateKeys = new WeakMap<Uint8Array, KeyObject>();
function ed25519Sign(message: Uint8Array, seed: Uint8Array): Uint8Array {
  let k = privateKeys.get(seed);
  if (k === undefined) {
    k = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    privateKeys.set(seed, k);
  }
  return new Uint8Array(cryptoSign(null, message, k));
}

/** Signs `text` (which must end in "\n") as a signed-note with one Ed25519 signature. */
export function signNote(text: string, key: NoteSignerKey): string {
  if (!text.endsWith('\n') || text.includes('\n\n')) throw new FlkAuditError(AUDIT_ERROR_CODES.INVALID_ENTRY, 'note text must end in one newline and hold no blank line');
  const sig = ed25519Sign(enc.encode(text), key.seed);
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, key.keyId);
  return `${text}\n${SIG_PREFIX}${key.name} ${b64(concatBytes(id, sig))}\n`;
}

export type OpenedNote = { ok: true; text: string; signedBy: string } | { ok: false; problem: string };

/** Splits a signed-note and checks that `key` signed it (signatures by other keys are ignored). */
export function openNote(note: string, key: NoteVerifierKey): OpenedNote {
  if (!note.endsWith('\n')) return { ok: false, problem: 'note does not end in a newline' };
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, problem: 'note has no signature block' };
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  let sawKey = false;
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) return { ok: false, problem: `malformed signature line '${line.slice(0, 40)}'` };
    const rest = line.slice(SIG_PREFIX.length);
    const sp = rest.indexOf(' ');
    if (sp <= 0) return { ok: false, problem: 'malformed signature line' };
    const name = rest.slice(0, sp);
    const raw = b64decode(rest.slice(sp + 1));
    if (!raw || raw.length < 5) return { ok: false, problem: 'malformed signature' };
    const id = new DataView(raw.buffer, raw.byteOffset).getUint32(0);
    if (name !== key.name || id !== key.keyId) continue;
    sawKey = true;
    if (raw.length === 4 + 64 && ed25519.verify(raw.subarray(4), enc.encode(text), key.publicKey)) return { ok: true, text, signedBy: key.name };
  }
  return { ok: false, problem: sawKey ? `signature by ${key.name} does not verify` : `no signature by ${key.name}+${hex8(key.keyId)}` };
}

/** The checkpoint body (the note text). */
export function formatCheckpoint(c: Pick<Checkpoint, 'origin' | 'size' | 'root'> & { extensions?: string[] }): string {
  if (c.origin.length === 0 || c.origin.includes('\n')) throw new FlkAuditError(AUDIT_ERROR_CODES.INVALID_ENTRY, 'checkpoint origin must be one non-empty line');
  if (c.root.length !== HASH_SIZE) throw new FlkAuditError(AUDIT_ERROR_CODES.INVALID_ENTRY, 'checkpoint root must be 32 bytes');
  return `${c.origin}\n${c.size}\n${b64(c.root)}\n${(c.extensions ?? []).map((e) => `${e}\n`).join('')}`;
}

export type ParsedCheckpoint = { ok: true; checkpoint: Checkpoint } | { ok: false; problem: string };

/** Parses a checkpoint body (C2SP tlog-checkpoint). */
export function parseCheckpoint(text: string): ParsedCheckpoint {
  if (!text.endsWith('\n')) return { ok: false, problem: 'checkpoint does not end in a newline' };
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) return { ok: false, problem: 'checkpoint needs origin, size and root lines' };
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin.length === 0) return { ok: false, problem: 'empty origin line' };
  if (!/^(0|[1-9]\d*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) return { ok: false, problem: `bad tree size '${sizeText.slice(0, 30)}'` };
  const root = b64decode(rootText);
  if (!root || root.length !== HASH_SIZE) return { ok: false, problem: 'root hash is not base64 of 32 bytes' };
  if (extensions.some((e) => e.length === 0)) return { ok: false, problem: 'empty extension line' };
  return { ok: true, checkpoint: { origin, size: Number(sizeText), root, extensions } };
}

export type VerifiedCheckpoint = { ok: true; checkpoint: Checkpoint; text: string } | { ok: false; problem: string };

/** Opens a signed checkpoint note with `key` and parses it; the origin must be `origin` when given. */
export function verifyCheckpointNote(note: string, key: NoteVerifierKey, origin?: string): VerifiedCheckpoint {
  const opened = openNote(note, key);
  if (!opened.ok) return opened;
  const parsed = parseCheckpoint(opened.text);
  if (!parsed.ok) return parsed;
  if (origin !== undefined && parsed.checkpoint.origin !== origin) return { ok: false, problem: `origin '${parsed.checkpoint.origin}', expected '${origin}'` };
  return { ok: true, checkpoint: parsed.checkpoint, text: opened.text };
}

/** Parses a checkpoint note without checking its signature (to read size and root). */
export function readCheckpointNote(note: string): ParsedCheckpoint {
  const split = note.lastIndexOf('\n\n');
  return parseCheckpoint(split < 0 ? note : note.slice(0, split + 1));
}
