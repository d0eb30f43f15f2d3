// Help texts. Each is printed on stdout by `--help` (exit 0); usage errors point at them.
import { PCS_VERSION } from '@flk/pcs';
import { VERSION } from './version.js';

export const HELP_CMD = {
  top: 'flk --help',
  pcs: 'flk pcs --help',
  canonical: 'flk pcs canonical --help',
  id: 'flk pcs id --help',
  sign: 'flk pcs sign --help',
  verify: 'flk pcs verify --help',
  make: 'flk pcs make --help',
  keygen: 'flk keygen --help',
  audit: 'flk audit --help',
  auditVerify: 'flk audit verify --help',
  auditCheckpoint: 'flk audit checkpoint --help',
  auditProve: 'flk audit prove --help',
  auditVerifyProof: 'flk audit verify-proof --help',
  auditFind: 'flk audit find --help',
  auditKeygen: 'flk audit keygen --help',
} as const;

const EXIT_STATUS = `Exit status:
  0   every FILE produced its line
  1   some FILE failed (unreadable, not JSON, invalid record); the others were still processed
  2   usage or configuration error (unknown command or option, missing or invalid key)
  70  internal error (a bug; one line on stderr, no stack trace)`;

export const TOP_HELP = `flk ${VERSION} - command-line tools for FLK Proof-of-Computation Summaries (PCS contract v${PCS_VERSION})

Usage: flk <command> [options]

Commands:
  pcs canonical FILE...   print the canonical signing payload of each record
  pcs id FILE...          print the pcs_id computed from each record
  pcs sign FILE...        sign each record (HMAC or Ed25519) and print it with "sig" filled
  pcs verify FILE...      verify each record offline and print its verdict
  pcs make [options]      build a signed PCS from raw points and payload bytes, as an agent does
  keygen ed25519          print a fresh Ed25519 key pair (prints a SECRET key)
  audit verify DIR...     check a sink audit log's hash chain (and --checkpoint); report the first break
  audit checkpoint DIR    print a signed checkpoint (RFC 6962 tree size and root) of an audit log
  audit prove DIR ...     print an inclusion or consistency proof
  audit verify-proof FILE check a proof printed by 'audit prove'
  audit find DIR --pcs-id ID   print the audit entries of a PCS and their leaf indices
  audit keygen NAME       print a fresh checkpoint signing key (prints a SECRET key)
  policy validate|diff|show   check, compare and inspect decision policies (flk policy --help)
  replay --policy P       re-decide retained records under a candidate policy (flk replay --help)

Options:
  -h, --help      show this help; every command has its own (flk pcs sign --help)
      --version   print the version

A FILE of '-' is standard input. Each command prints exactly one line per FILE, in order;
a FILE that cannot be used gets one 'flk: FILE: problem' line on stderr instead.

${EXIT_STATUS}

Environment:
  PCS_SIGN_ALG           none | hmac | ed25519 (verify: default none; make/sign: default for --alg)
  PCS_HMAC_KEY           HMAC key ring, comma-separated (sign uses the first key)
  PCS_ED25519_PRIV_B64   Ed25519 private key: base64 of the 32-byte seed (sign, make)
  PCS_ED25519_PUB_B64    Ed25519 public key ring, comma-separated base64 (verify)

Documentation: docs/cli.md`;

export const PCS_HELP = `Usage: flk pcs <command> [options] FILE...

Commands:
  canonical FILE...   print the canonical signing payload (contract §2) of each record
  id FILE...          print the pcs_id computed from each record's merkle_root, epoch, shard_id
  sign FILE...        sign each record and print it as compact JSON with "sig" filled
  verify FILE...      print the verdict (contract §5) of each record, decided offline
  make [options]      build a PCS from a points file and a payload file

Run 'flk pcs <command> --help' for a command's options. A FILE of '-' is standard input.`;

export const CANONICAL_HELP = `Usage: flk pcs canonical FILE...

Prints, for each FILE (one JSON record), one line: the exact canonical signing payload of
contract §2 - the eight signed fields pcs_id, merkle_root, epoch, shard_id, D_hat, coh_star, r,
budget, numbers rounded to 9 decimals (ties to even), RFC 8785 JSON. This is the text whose
SHA-256 is signed. pcs_id is taken as given (not recomputed); fields outside the eight are
ignored, so a partial record holding only the signed fields is accepted.

Options:
  -h, --help   show this help

${EXIT_STATUS}

Example:
  flk pcs canonical rec.json     # {"D_hat":1.41,"budget":0.42,...,"shard_id":"shard-001"}`;

export const ID_HELP = `Usage: flk pcs id FILE...

Prints, for each FILE (one JSON record), one line: the pcs_id computed from the record,
lowercase hex SHA-256 of "merkle_root|epoch|shard_id" (contract §1). Only those three fields
are read; the record's own pcs_id is ignored, so this is how a wrong pcs_id is found or fixed.

Options:
  -h, --help   show this help

${EXIT_STATUS}

Example:
  flk pcs id rec.json`;

export const SIGN_HELP = `Usage: flk pcs sign [--alg hmac|ed25519] FILE...

Prints, for each FILE (one valid PCS record), one line: the record as compact JSON with "sig"
set to the signature of its canonical payload (contract §2). Every other field keeps its value
and the input's key order; an existing "sig" is replaced in place, a missing one is appended.
A record that fails validation (contract §1) is not signed: 'flk: FILE: malformed:...'.

Options:
      --alg ALG    hmac | ed25519 (default: PCS_SIGN_ALG when it is hmac or ed25519)
  -h, --help       show this help

Environment (keys are never printed):
  PCS_HMAC_KEY           HMAC key (UTF-8); a comma-separated ring signs with its FIRST key
  PCS_ED25519_PRIV_B64   base64 of the 32-byte Ed25519 seed (see 'flk keygen ed25519')
A missing key is a configuration error (exit 2) naming the variable.

${EXIT_STATUS}

Example:
  PCS_HMAC_KEY=secret flk pcs sign --alg hmac rec.json > signed.json`;

export const VERIFY_HELP = `Usage: flk pcs verify [--alg none|hmac|ed25519] [--now TIME] [--strict] [--tol-d X]
                      [--tol-coh X] [--tol-r X] [--tol-budget X] FILE...

Decides each FILE offline as the verifier does (contract §5, §7: structure, version, signature,
freshness for v0.2, signals; no dedup store) and prints one line per FILE: the verdict as compact
JSON, with duplicate false, source null and decided_at the current time. signature_checked says
whether a signature was checked at all. An invalid record is not an error:
its verdict is 'rejected' with a 'malformed:...' reason. Only an unreadable FILE or one that is
not UTF-8 gets an error line instead of a verdict.

Options:
      --alg ALG          none | hmac | ed25519: the v0.1 signature check (default: PCS_SIGN_ALG,
                         or none when it is unset); none also turns the v0.2 ring off
      --now TIME         RFC 3339 'now' of the v0.2 freshness check (default: the current time)
      --strict           exit 1 unless every verdict is 'accepted'
      --tol-d X          tolerance on |D_hat reported - recomputed|   (default 0.15)
      --tol-coh X        coh_star may exceed 1 by at most X           (default 0.05)
      --tol-r X          r may exceed 1 by at most X                  (default 0.05)
      --tol-budget X     tolerance on |budget reported - recomputed|  (default 0.05)
  -h, --help             show this help

Environment:
  PCS_SIGN_ALG           none | hmac | ed25519 (overridden by --alg)
  PCS_HMAC_KEY           HMAC key ring, comma-separated: any key may have signed
  PCS_ED25519_PUB_B64    Ed25519 public key ring, comma-separated base64
  PCS_KEYRING_FILE       v0.2 tenant key ring (JSON, docs/contract.md §7.3): when set, v0.2
                         signatures are checked with the key each record's key_id names
  PCS_ACCEPT_VERSIONS    versions decided (default 0.1,0.2); others: version_not_accepted
  PCS_MAX_AGE_SECONDS    v0.2: older than now by more than this is 'stale' (default 1036800)
  PCS_MAX_SKEW_SECONDS   v0.2: newer than now by more than this is 'clock_skew' (default 300)

Exit status:
  0   every FILE produced a verdict, whatever its status (see --strict)
  1   some FILE could not be read; or --strict and some verdict was not 'accepted'
  2   usage or configuration error (unknown option, bad tolerance, missing or invalid key)
  70  internal error

Example:
  PCS_SIGN_ALG=ed25519 PCS_ED25519_PUB_B64=... flk pcs verify signed.json`;

export const MAKE_HELP = `Usage: flk pcs make --shard ID --epoch N --seed N --points FILE [--data FILE]
                    [--attempt N] [--sent-at ISO] [--outbox-seq N] [--chunk-size N]
                    [--alg none|hmac|ed25519] [--tenant T] [--key-id K] [--pcs-version 0.1|0.2]

Builds a PCS from raw data the way an agent does (the core's buildPcs) and prints it as one line
of compact JSON: N_j by box counting the points at scales 2, 4, 8, 16, 32, D_hat from N_j,
coh_star and v_star from the points (directions drawn from --seed), r from the zlib-compressed
payload, merkle_root over the payload's chunks, then regime, budget, pcs_id and sig.
The same inputs (with --sent-at pinned) always give the same output line.

Options:
      --shard ID         shard_id (required)
      --epoch N          epoch, an integer (required)
      --seed N           seed of the coh_star directions, an integer (required)
      --points FILE      the points (required, at least one, all of one dimension): a JSON array
                         of numeric arrays  [[0.1,0.2],[0.3,0.4]]  or JSON Lines, one numeric
                         array per line  [0.1,0.2]
      --data FILE        the payload bytes, read raw (default: none; r is then 1)
      --chunk-size N     payload chunk size in bytes for the Merkle tree (default 4096); the
                         last chunk may be shorter
      --attempt N        attempt number (default 1)
      --sent-at ISO      sent_at (default: now, to the second, e.g. 2025-01-01T00:00:00Z)
      --outbox-seq N     ft.outbox_seq (default 0)
      --alg ALG          none | hmac | ed25519 (default: PCS_SIGN_ALG, or none when unset)
      --tenant T         tenant_id (default PCS_TENANT_ID); makes the record v0.2 by default
      --key-id K         key_id of the signing key in the verifiers' ring (default PCS_KEY_ID)
      --pcs-version V    0.1 | 0.2 (default 0.2 with a tenant, else 0.1)
  -h, --help             show this help
One of --points and --data may be '-' (standard input).

Environment: PCS_HMAC_KEY (signs with the first key of the ring) or PCS_ED25519_PRIV_B64, for
--alg hmac | ed25519. Keys are never printed.

Exit status:
  0   the record was printed
  1   an input file was unreadable or invalid, or no valid record can be built from the inputs
  2   usage or configuration error (missing/invalid option, missing or invalid key)
  70  internal error

Example:
  flk pcs make --shard shard-001 --epoch 1 --seed 42 --sent-at 2025-01-01T00:00:00Z \\
    --points points.jsonl --data payload.bin --alg ed25519`;

export const KEYGEN_HELP = `Usage: flk keygen ed25519
       flk keygen ed25519|hmac --tenant T --key-id K

Without --tenant: a fresh Ed25519 key pair (v0.1) as two environment assignments:
  PCS_ED25519_PRIV_B64=<base64 of the 32-byte seed>     <- a SECRET: keep it out of logs and shells' history
  PCS_ED25519_PUB_B64=<base64 of the 32-byte public key>
With --tenant and --key-id (v0.2, contract §7.3): first the key ring entry for the verifiers'
PCS_KEYRING_FILE (one JSON object for its "keys" array; for hmac it holds the secret inline -
move it to a secret_file or secret_env in production), then the producer's environment:
  PCS_TENANT_ID=T
  PCS_KEY_ID=K
  PCS_HMAC_KEY=<secret> | PCS_ED25519_PRIV_B64=<seed>   <- a SECRET

Options:
      --tenant T   the tenant the key is bound to
      --key-id K   the key's id (name it by date, e.g. acme-2026-12, for rotation)
  -h, --help       show this help

Example:
  (umask 077; flk keygen ed25519 --tenant acme --key-id acme-2026-12 > acme.keys)`;

export const AUDIT_HELP = `Usage: flk audit <command> [options]

Commands:
  verify DIR...                      check the hash chain of the sink's audit log in each DIR
  checkpoint DIR                     print a signed checkpoint of the log's RFC 6962 Merkle tree
  prove DIR --index N [--size M]     print an inclusion proof of entry N
  prove DIR --from M --to N          print a consistency proof between two tree sizes
  verify-proof FILE...               check proofs printed by 'prove'
  find DIR --pcs-id ID               print the entries of a PCS and their leaf indices
  keygen NAME                        print a fresh checkpoint signing key (a SECRET) and its verifier key

Run 'flk audit <command> --help' for details (docs/audit.md for the formats).`;

export const AUDIT_VERIFY_HELP = `Usage: flk audit verify DIR... [--checkpoint FILE]

Checks the sink's audit log in each DIR (segment files audit-*.jsonl): every line terminated,
valid JSON, its own hash, the chain (each line's "prev" is the SHA-256 of the previous line's
bytes, across segments), consecutive seq numbers and increasing offsets per partition.
Prints one JSON line per DIR:
  {"dir":...,"ok":true,"lines":N,"segments":N,"last_hash":"..."}
  {"dir":...,"ok":false,"segment":"audit-....jsonl","line":L,"reason":"hash_mismatch",...}
where segment/line point at the FIRST break. The chain alone cannot show lines removed from the
very end: --checkpoint FILE (a note from 'flk audit checkpoint', its signature checked with the
verifier key in AUDIT_CHECKPOINT_VKEY) also requires the log to extend that checkpoint:
  {"dir":...,"ok":true,...,"checkpoint_size":N}
  {"dir":...,"ok":false,"reason":"truncated"|"rewritten","log_size":N,"checkpoint_size":M,"detail":"..."}

Exit status:
  0   every DIR verified
  1   a DIR has a break, does not extend the checkpoint, or cannot be read; or the checkpoint
      cannot be read or its signature does not verify
  2   usage or configuration error (AUDIT_CHECKPOINT_VKEY missing or invalid)`;

const AUDIT_TREE = `The tree: RFC 6962 over the audit lines in log order across segments (leaf N = the
exact bytes of line N, counted from 0, without its newline; leaf hash SHA-256(0x00 || line),
node hash SHA-256(0x01 || left || right)). A torn tail (bytes after the last newline) is no leaf.`;

const AUDIT_DIR_EXIT = `Exit status:
  0   done
  1   DIR cannot be read, or the sizes/index do not fit the log (one line on stderr)
  2   usage or configuration error`;

export const AUDIT_CHECKPOINT_HELP = `Usage: flk audit checkpoint DIR [--origin O]

Prints a C2SP tlog-checkpoint of the audit log in DIR, signed as a C2SP signed-note (Ed25519),
readable by golang.org/x/mod/sumdb/note:
  <origin>
  <tree size>
  <base64 root hash>

  \u2014 <key name> <base64(4-byte key hash || signature)>
${AUDIT_TREE}

The signer key (a SECRET, as 'flk audit keygen NAME' prints it: PRIVATE+KEY+<name>+<hash>+<key>):
  AUDIT_CHECKPOINT_KEY=<key>  or  AUDIT_CHECKPOINT_KEY_FILE=<file holding it>

Options:
      --origin O   the checkpoint's origin line (default: the key's name)
  -h, --help       show this help

${AUDIT_DIR_EXIT}`;

export const AUDIT_PROVE_HELP = `Usage: flk audit prove DIR --index N [--size M] [--stats]
       flk audit prove DIR --from M --to N [--stats]

Prints one JSON line (hashes lowercase hex):
  inclusion of entry N in the tree of the first M entries (default M: the whole log):
    {"leaf_index":N,"tree_size":M,"leaf_hash":"...","root_hash":"...","path":["...",...]}
  consistency of the tree of the first M entries with the tree of the first N:
    {"first":M,"second":N,"first_root":"...","second_root":"...","path":["...",...]}
The paths are RFC 6962 / RFC 9162 audit and consistency paths, as
github.com/transparency-dev/merkle/proof verifies them. --stats adds one JSON line on stderr:
  {"log_size":N,"hashes":H,"stored_reads":R,"tree":"stored|rebuilt|scanned","open_tree_ms":T,"proof_ms":P}
(H and R grow with log2 of the sizes. tree: the stored subtree hashes were used as they are
(stored), rebuilt from the log (rebuilt), or built in memory because a sink holds the directory
(scanned); open_tree_ms is that step.)
${AUDIT_TREE}

${AUDIT_DIR_EXIT}`;

export const AUDIT_VERIFY_PROOF_HELP = `Usage: flk audit verify-proof FILE...

Checks each FILE (- for standard input) holding one proof printed by 'flk audit prove' against
the roots it names, and prints one JSON line per FILE:
  {"file":...,"ok":true,"kind":"inclusion"|"consistency"}
  {"file":...,"ok":false,"kind":...,"problem":"..."}
Compare the root(s) with a signed checkpoint's to trust them.

Exit status:
  0   every proof verifies
  1   a proof does not verify, or a FILE cannot be read or is not JSON
  2   usage error`;

export const AUDIT_FIND_HELP = `Usage: flk audit find DIR --pcs-id ID

Prints every audit entry whose verdict's pcs_id is ID, one JSON line each:
  {"leaf_index":I,"segment":"audit-....jsonl","line":L,"entry":{...}}
leaf_index is the entry's index in the Merkle tree ('flk audit prove DIR --index I').

Exit status:
  0   at least one entry found
  1   none found, or DIR cannot be read
  2   usage error`;


export const AUDIT_KEYGEN_HELP = `Usage: flk audit keygen NAME

Prints a fresh Ed25519 checkpoint key for 'flk audit checkpoint' (C2SP signed-note, the strings
golang.org/x/mod/sumdb/note.GenerateKey prints); NAME is the key name signature lines carry:
  AUDIT_CHECKPOINT_KEY=PRIVATE+KEY+NAME+<hash>+<key>   <- a SECRET
  AUDIT_CHECKPOINT_VKEY=NAME+<hash>+<key>             the verifier key, to publish
(A subcommand of 'audit', not of 'flk keygen': that one is the contract's PCS keys, and the
Python and Go SDK CLIs reproduce it exactly.)

Options:
  -h, --help       show this help

Example:
  (umask 077; flk audit keygen flk.example/audit > ckpt.env)`;
