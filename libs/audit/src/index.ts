// @flk/audit: the sink's append-only, hash-chained audit log (format: docs/sink.md), kept as an
// RFC 6962 transparency log with signed checkpoints and proofs (docs/audit.md).
export { openAuditLog, DEFAULT_SEGMENT_MAX_BYTES } from './writer.js';
export type { AuditEvent, AuditLog, AuditLogOptions } from './writer.js';
export { readAuditTail, listSegments } from './tail.js';
export type { AuditPosition, AuditTail, ReadTailOptions } from './tail.js';
export { verifyAuditDir } from './verify.js';
export type { AuditBreakReason, AuditVerifyResult } from './verify.js';
export { encodeLine, parseLine, keyText, segmentName, segmentFirstSeq, lineHash, ZERO_HASH, SEGMENT_PATTERN } from './format.js';
export type { AuditEntryInput, AuditLine } from './format.js';
export { LOCK_FILE } from './lock.js';
export { AUDIT_ERROR_CODES, AuditCheckpointMismatchError, AuditCorruptError, AuditDiskFullError, AuditLockedError, AuditWriteError, FlkAuditError } from './errors.js';
export type { AuditErrorCode } from './errors.js';
export {
  concatBytes,
  HASH_SIZE,
  memoryNodes,
  MerkleReader,
  nodeSha256,
  rfc6962Hasher,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';
export type { MerkleHasher, NodeSource, ProofCost, ProofProblem, Sha256 } from './merkle.js';
export {
  formatCheckpoint,
  generateNoteKey,
  isKeyName,
  noteKeyId,
  openNote,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  readCheckpointNote,
  signNote,
  verifyCheckpointNote,
} from './checkpoint.js';
export type { Checkpoint, NoteSignerKey, NoteVerifierKey, OpenedNote, ParsedCheckpoint, VerifiedCheckpoint } from './checkpoint.js';
export { auditLinesSync, forEachAuditLine, matchCheckpoint, readAuditMerkleTree } from './transparency.js';
export type { AuditMerkleTree, CheckpointMatch } from './transparency.js';
export { checkProofJson, consistencyProof, inclusionProof } from './proofs.js';
export type { ConsistencyProofJson, InclusionProofJson, ProofCheck } from './proofs.js';
export { openAuditTree, openStoredTree, syncTreeFiles, TREE_DIR } from './tree-store.js';
export type { OpenedAuditTree, StoredTree, TreeStore, TreeSyncResult } from './tree-store.js';
export { createCheckpointer, signCheckpoint } from './checkpointer.js';
export type { Checkpointer, CheckpointerEvent, CheckpointerOptions, CheckpointTree, SignedCheckpoint } from './checkpointer.js';
