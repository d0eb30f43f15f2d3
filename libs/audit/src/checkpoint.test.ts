import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  formatCheckpoint,
  generateNoteKey,
  noteKeyId,
  openNote,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifyCheckpointNote,
} from './checkpoint.js';
import { rfc6962Hasher } from './merkle.js';

const h = rfc6962Hasher();

describe('signed notes (C2SP signed-note, golang.org/x/mod/sumdb/note)', () => {
  // The example of golang.org/x/mod/sumdb/note's documentation: Ed25519 is deterministic, so the
  // same key and text must give this exact note.
  const SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
  const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
  const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
  const NOTE = `${TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

  test('the reference key and note, byte for byte', () => {
    const signer = parseSignerKey(SKEY);
    expect(signer.text).toBe(VKEY);
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(signNote(TEXT, signer)).toBe(NOTE);
    const opened = openNote(NOTE, parseVerifierKey(VKEY));
    expect(opened).toEqual({ ok: true, text: TEXT, signedBy: 'PeterNeumann' });
  });
  test('a changed text or another key does not verify', () => {
    const vk = parseVerifierKey(VKEY);
    expect(openNote(NOTE.replace('cryptography', 'Cryptography'), vk)).toMatchObject({ ok: false, problem: expect.stringMatching(/does not verify/) });
    const other = parseVerifierKey(generateNoteKey('PeterNeumann').verifier);
    expect(openNote(NOTE, other)).toMatchObject({ ok: false, problem: expect.stringMatching(/no signature by/) });
  });
  test('key id = first 4 bytes of SHA-256(name || 0x0A || 0x01 || key)', () => {
    const vk = parseVerifierKey(VKEY);
    const d = createHash('sha256').update(Buffer.concat([Buffer.from('PeterNeumann\n'), Buffer.from([1]), Buffer.from(vk.publicKey)])).digest();
    expect(noteKeyId('PeterNeumann', vk.publicKey)).toBe(d.readUInt32BE(0));
  });
  test('bad keys are typed errors that never echo the key', () => {
    const bad = SKEY.replace('c74f20a3', 'c74f20a4');
    expect(() => parseSignerKey(bad)).toThrow(expect.objectContaining({ code: 'AUDIT_BAD_KEY', retriable: false }));
    try {
      parseSignerKey(bad);
    } catch (err) {
      expect((err as Error).message).not.toContain('AYEKFALV');
    }
    expect(() => parseVerifierKey('nope')).toThrow(expect.objectContaining({ code: 'AUDIT_BAD_KEY' }));
  });
  test('checkpoints: format, parse, sign and verify', () => {
    const { signer, verifier } = generateNoteKey('flk.example/audit');
    const root = h.leaf(new Uint8Array([1]));
    const text = formatCheckpoint({ origin: 'flk.example/audit', size: 42, root });
    expect(text).toBe(`flk.example/audit\n42\n${Buffer.from(root).toString('base64')}\n`);
    expect(parseCheckpoint(text)).toEqual({ ok: true, checkpoint: { origin: 'flk.example/audit', size: 42, root: new Uint8Array(root), extensions: [] } });
    const note = signNote(text, parseSignerKey(signer));
    const ok = verifyCheckpointNote(note, parseVerifierKey(verifier), 'flk.example/audit');
    expect(ok.ok && ok.checkpoint.size).toBe(42);
    expect(verifyCheckpointNote(note, parseVerifierKey(verifier), 'other')).toMatchObject({ ok: false });
    for (const broken of ['x\n', 'o\n-1\nAA==\n', 'o\n1\nAAAA\n', 'o\n01\n' + Buffer.from(root).toString('base64') + '\n']) expect(parseCheckpoint(broken).ok).toBe(false);
  });
});

describe('tampered checkpoints', () => {
  test('a changed size or root, or a re-sign by another key, does not verify', () => {
    const { signer, verifier } = generateNoteKey('flk.example/audit');
    const root = h.leaf(new Uint8Array([7]));
    const note = signNote(formatCheckpoint({ origin: 'flk.example/audit', size: 9, root }), parseSignerKey(signer));
    const vk = parseVerifierKey(verifier);
    expect(verifyCheckpointNote(note, vk)).toMatchObject({ ok: true });
    expect(verifyCheckpointNote(note.replace('\n9\n', '\n8\n'), vk)).toMatchObject({ ok: false, problem: expect.stringMatching(/does not verify/) });
    const otherRoot = formatCheckpoint({ origin: 'flk.example/audit', size: 9, root: h.leaf(new Uint8Array([8])) });
    const mallory = generateNoteKey('flk.example/audit');
    expect(verifyCheckpointNote(signNote(otherRoot, parseSignerKey(mallory.signer)), vk)).toMatchObject({ ok: false, problem: expect.stringMatching(/no signature by/) });
    expect(verifyCheckpointNote('flk.example/audit\n9\n', vk)).toMatchObject({ ok: false });
  });
});
