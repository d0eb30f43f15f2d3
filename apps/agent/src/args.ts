// Command line of the agent: flk-agent [--input FILE|-] [--json]. Everything else is environment.
import { parseArgs } from 'node:util';

export const USAGE = `usage: flk-agent [--input FILE|-] [--json]

Reads an event stream (JSON Lines, docs/agent.md), windows it per shard into epochs, signs one
PCS record per window and publishes it to Kafka (Avro, key = pcs_id) until the broker acknowledges.

  --input FILE   the event stream ('-' or absent: standard input)
  --json         print the summary as JSON instead of one line
  -h, --help     this text

Environment (defaults in brackets): KAFKA_BROKERS [127.0.0.1:9092], SCHEMA_REGISTRY_URL
[http://127.0.0.1:8081], PCS_SUBMITTED_TOPIC [pcs.submitted], AGENT_PCS_VERSION [0.2] with
PCS_TENANT_ID and PCS_KEY_ID (v0.2), PCS_SIGN_ALG [none] with
PCS_HMAC_KEY (first key signs) or PCS_ED25519_PRIV_B64, AGENT_WINDOW_EVENTS [1000],
AGENT_WINDOW_MS [0 = off], AGENT_EPOCH_START [1], AGENT_SEED [42], AGENT_BATCH_SIZE [100],
AGENT_LINGER_MS [50],
AGENT_PUBLISH_MAX_ATTEMPTS [8], AGENT_RETRY_INITIAL_MS [200], AGENT_RETRY_MAX_MS [10000],
LOG_LEVEL [info]. All of them: docs/agent.md.

Exit status: 0 every record acknowledged (bad input lines are reported, not fatal); 1 records
left unpublished or windows that could not be built; 2 usage, configuration or input file error.`;

export interface AgentArgs {
  input: string;
  json: boolean;
  help: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseAgentArgs(argv: readonly string[]): AgentArgs {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: { input: { type: 'string', short: 'i' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    throw new UsageError(((err as Error).message.split(/(?<=\.) /)[0] ?? 'bad arguments').toLowerCase());
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (use --input FILE)`);
  const input = values.input ?? '-';
  if (input === '') throw new UsageError('--input needs a file name or -');
  return { input, json: values.json === true, help: values.help === true };
}
