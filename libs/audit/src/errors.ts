// Errors of the audit-log adapter. A tampered or broken log found by verifyAuditDir is a result
// (data), not an exception; exceptions here are for a writer that cannot safely go on.
export const AUDIT_ERROR_CODES = {
  /** The log on disk cannot be resumed from (a broken last line, a bad segment name...). */
  CORRUPT: 'AUDIT_CORRUPT',
  /** Another live process holds the directory's lock. */
  LOCKED: 'AUDIT_LOCKED',
  /** A write or fsync failed; the writer refuses further appends (restart repairs the tail). */
  WRITE_FAILED: 'AUDIT_WRITE_FAILED',
  /**
   * The disk is full (ENOSPC, EDQUOT): nothing of the batch stays on disk and the writer is usable;
   * retry the same append once space is back (retriable, unlike WRITE_FAILED).
   */
  DISK_FULL: 'AUDIT_DISK_FULL',
  /** append() after close(). */
  CLOSED: 'AUDIT_CLOSED',
  /** An entry that would break the log's invariants (programmer error in the caller). */
  INVALID_ENTRY: 'AUDIT_INVALID_ENTRY',
  /** A checkpoint signer or verifier key that cannot be used (the message never holds the key). */
  BAD_KEY: 'AUDIT_BAD_KEY',
  /** The log does not extend its last published checkpoint (truncated, rewritten, or signed by another key). */
  CHECKPOINT_MISMATCH: 'AUDIT_CHECKPOINT_MISMATCH',
} as const;
export type AuditErrorCode = (typeof AUDIT_ERROR_CODES)[keyof typeof AUDIT_ERROR_CODES];

export class FlkAuditError extends Error {
  override readonly name: string = 'FlkAuditError';
  /** None of the audit errors goes away by retrying the same call in the same process. */
  readonly retriable: boolean = false;
  constructor(readonly code: AuditErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class AuditCorruptError extends FlkAuditError {
  override readonly name = 'AuditCorruptError';
  constructor(message: string, readonly segment: string, options?: { cause?: unknown }) {
    super(AUDIT_ERROR_CODES.CORRUPT, message, options);
  }
}

export class AuditLockedError extends FlkAuditError {
  override readonly name = 'AuditLockedError';
  constructor(message: string, readonly pid: number) {
    super(AUDIT_ERROR_CODES.LOCKED, message);
  }
}

export class AuditWriteError extends FlkAuditError {
  override readonly name = 'AuditWriteError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(AUDIT_ERROR_CODES.WRITE_FAILED, message, options);
  }
}

export class AuditDiskFullError extends FlkAuditError {
  override readonly name = 'AuditDiskFullError';
  override readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(AUDIT_ERROR_CODES.DISK_FULL, message, options);
  }
}

export class AuditCheckpointMismatchError extends FlkAuditError {
  override readonly name = 'AuditCheckpointMismatchError';
  constructor(
    message: string,
    readonly reason: 'truncated' | 'rewritten' | 'foreign_signature',
    /** Entries in the log; entries the checkpoint covers (-1 when its signature did not verify). */
    readonly logSize: number,
    readonly checkpointSize: number,
  ) {
    super(AUDIT_ERROR_CODES.CHECKPOINT_MISMATCH, message);
  }
}
