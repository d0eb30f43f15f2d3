// Help pages of `flk policy` and `flk replay` (docs/policies.md), kept apart from help.ts so the
// policy work touches the shared page only where the top-level list names the commands.
export const POLICY_HELP_CMD = {
  policy: 'flk policy --help',
  validate: 'flk policy validate --help',
  diff: 'flk policy diff --help',
  show: 'flk policy show --help',
  replay: 'flk replay --help',
} as const;

export const POLICY_HELP = `Usage: flk policy <command> [options]

Commands:
  validate FILE...   check policy documents (JSON Schema + guard-rails); every violation by path
  diff A B           the parameters that differ between two documents; widened tolerances flagged
  show               the policy set the running verifier uses (its ops endpoint GET /policy)

Run 'flk policy <command> --help' for details (docs/policies.md for the document format).`;

export const POLICY_VALIDATE_HELP = `Usage: flk policy validate FILE...

Checks each policy document against the policy JSON Schema and the guard-rails (weights in [0, 1],
coh★ bound ≤ 1 + ε, ordered regime thresholds, tolerances ≥ 0, bounded budget tolerance). Prints
one line per valid FILE: 'FILE: ok ID VERSION DIGEST'; for an invalid one, one stderr line per
violation: 'flk: FILE: PATH MESSAGE'.

Exit status: 0 every FILE valid, 1 some FILE invalid or unreadable, 2 usage error.`;

export const POLICY_DIFF_HELP = `Usage: flk policy diff A B [--json]

Compares two policy documents parameter by parameter; one line per difference:
  PATH: FROM -> TO            (with '  WIDENS' when a tolerance grows or the PII gate weakens)
  --json   one JSON document {"a":{id,version,digest},"b":{...},"changes":[{path,from,to,widens}]}

Exit status: 0 identical, 3 they differ, 1 a FILE is unreadable or invalid, 2 usage error.`;

export const POLICY_SHOW_HELP = `Usage: flk policy show [--url URL] [--json]

Prints the policy set the running verifier uses, from its ops endpoint (GET URL/policy):
  --url URL   the verifier's ops address (default: FLK_VERIFIER_URL, else http://127.0.0.1:9464)
  --json      the endpoint's JSON as is
METRICS_USER / METRICS_PASS are sent as basic auth when set (as Prometheus does).

Exit status: 0 shown, 1 the verifier could not be reached or answered an error, 2 usage error.`;

export const REPLAY_HELP = `Usage: flk replay --policy FILE|DIR [options]

Re-decides records retained on the input topic under a candidate policy set and compares each
verdict with the one the verifier published on the verdict topic. Read-only: no dedup-store
claims, no verdict or DLQ writes, no committed offsets (its consumer group is its own, never
commits, and is deleted at the end).

Options:
  --policy FILE|DIR      the candidate policy set (one document, or a directory of *.json)
  --from TIME            first record appended at or after TIME (ISO-8601); default: the oldest
  --to TIME              stop before records appended after TIME; default: the end at start-up
  --partition N          only partition N (with --start-offset / --end-offset)
  --start-offset N       first offset (inclusive) of each replayed partition
  --end-offset N         last offset (exclusive)
  --tenant T             only records of tenant T
  --examples N           examples (pcs_id, partition:offset) kept per transition (default 3)
  --json                 one JSON document instead of the table
  --report DIR           write DIR/replay.json, DIR/transitions.svg and DIR/index.html

Dedup: the first occurrence of a dedup key in the replayed range is decided as an original, later
ones are duplicates of it (the live verifier's answer also depends on claims older than the range;
a published duplicate whose original lies before the range is compared by status and reasons).

Environment: the verifier's (KAFKA_BROKERS, KAFKA_SSL*, KAFKA_SASL_*, SCHEMA_REGISTRY_URL,
PCS_SUBMITTED_TOPIC, PCS_VERDICTS_TOPIC, PCS_SIGN_ALG and keys, PCS_KEYRING_FILE, PCS_MAX_AGE_SECONDS, ...).

Exit status: 0 identical, 3 some verdict differs, 1 a run-time failure, 2 usage or configuration error.`;
