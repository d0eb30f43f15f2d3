// flk-agent: event stream → signed PCS records → Kafka (the outbox). Wires @flk/agent to the
// environment, the input file, pino and the Kafka transport. Logs go to stderr (never keys or
// payloads); stdout carries only the final summary.
//
//   npx tsx --conditions=@flk/source apps/agent/src/main.ts [--input FILE|-] [--json]
import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { pino } from 'pino';
import { createKafkaTransport, createOutbox, runAgent, splitLines, type AgentSummary } from '@flk/agent';
import { ConfigError, describeKafkaConnection } from '@flk/config';
import { createWireCodec } from '@flk/registry';
import { parseAgentArgs, USAGE, UsageError } from './args.js';
import { loadConfig, type AgentConfig } from './config.js';
import { exitCodeOf, formatSummary } from './summary.js';

// Past this many, bad lines are only counted (the summary still names the first ones).
const MAX_BAD_LINE_LOGS = 100;

async function main(): Promise<number> {
  let args;
  try {
    args = parseAgentArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`flk-agent: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: AgentConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`flk-agent: ${err.message}\n`);
    return 2;
  }
  if (args.input !== '-') {
    try {
      await access(args.input, constants.R_OK);
    } catch {
      process.stderr.write(`flk-agent: cannot read input file ${args.input}\n`);
      return 2;
    }
  }

  const logger = pino({ level: config.logLevel, base: { app: 'flk-agent' } }, pino.destination(2));
  logger.info(
    {
      input: args.input,
      ...describeKafkaConnection(config),
      topic: config.submittedTopic,
      registry: config.registryUrl,
      signAlg: config.signAlg,
      window: config.window,
      batchSize: config.batchSize,
      lingerMs: config.lingerMs,
      retry: config.retry,
    },
    'agent starting',
  );

  const codec = createWireCodec({
    registryUrl: config.registryUrl,
    registryAuth: config.registryAuth,
    // TopicNameStrategy, as the verifier and sink register them.
    pcsSubject: `${config.submittedTopic}-value`,
    verdictSubject: `${config.verdictsTopic}-value`,
    logger,
  });
  const transport = createKafkaTransport({
    brokers: config.brokers,
    ssl: config.ssl,
    sasl: config.sasl,
    topic: config.submittedTopic,
    codec,
    clientId: config.clientId,
    connectionTimeoutMs: config.connectTimeoutMs,
    ackTimeoutMs: config.ackTimeoutMs,
    clientRetries: config.clientRetries,
    logger,
  });
  const outbox = createOutbox({
    transport,
    batchSize: config.batchSize,
    lingerMs: config.lingerMs,
    retry: config.retry,
    onEvent(e) {
      switch (e.type) {
        case 'batch_acknowledged':
          logger.debug({ records: e.records, attempts: e.attempts }, 'batch acknowledged');
          break;
        case 'batch_retry':
          logger.warn({ records: e.records, attempt: e.attempt, maxAttempts: config.retry.maxAttempts, delayMs: e.delayMs, err: e.error.message }, 'publish failed, retrying');
          break;
        case 'batch_failed':
          logger.error({ records: e.records, attempts: e.attempts, err: e.error.message }, 'publish failed, giving up: records stay unpublished');
          break;
        case 'record_not_sent':
          logger.debug({ pcs_id: e.pcs_id, shard_id: e.shard_id, outbox_seq: e.outbox_seq }, 'record unpublished');
          break;
      }
    },
  });

  // First SIGINT/SIGTERM: stop reading, publish what was read, report. Second: leave at once.
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      logger.error({ signal: sig }, 'second signal: exiting without publishing the rest');
      process.exit(130);
    }
    logger.warn({ signal: sig }, 'signal: stopping input; publishing what was read');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // Connect before reading: records built meanwhile would wait for it. Not fatal: the outbox's
  // backoff covers a broker or registry that is not up yet.
  await transport.connect().catch((err: unknown) => logger.warn({ err: (err as Error).message, code: (err as { code?: unknown }).code }, 'not connected yet; publishing will retry'));
  const input = args.input === '-' ? process.stdin : createReadStream(args.input);
  input.setEncoding('utf8');
  let badLogged = 0;
  const started = Date.now();
  let summary: AgentSummary;
  try {
    summary = await runAgent(splitLines(input), {
      window: config.window,
      seed: config.seed,
      ...(config.signer ? { signer: config.signer } : {}),
      version: config.version,
      ...(config.tenantId !== undefined ? { tenantId: config.tenantId } : {}),
      ...(config.keyId !== undefined ? { keyId: config.keyId } : {}),
      outbox,
      outboxSeqStart: config.outboxSeqStart,
      signal: stop.signal,
      onEvent(e) {
        if (e.type === 'bad_line') {
          if (badLogged++ < MAX_BAD_LINE_LOGS) logger.warn({ line: e.line, reason: e.reason }, 'bad input line skipped');
          else if (badLogged === MAX_BAD_LINE_LOGS + 1) logger.warn({}, `more than ${MAX_BAD_LINE_LOGS} bad lines: counting the rest silently`);
        } else if (e.type === 'record_built') {
          logger.debug({ pcs_id: e.pcs_id, shard_id: e.shard_id, epoch: e.epoch, outbox_seq: e.outbox_seq, events: e.events, regime: e.regime }, 'record built');
        } else {
          logger.error({ shard_id: e.shard_id, epoch: e.epoch, firstLine: e.firstLine, lastLine: e.lastLine, reason: e.reason }, 'window could not be built');
        }
      },
    });
  } finally {
    input.destroy();
    await transport.close();
  }
  const elapsedMs = Date.now() - started;
  logger.info(
    { records: summary.records, published: summary.published, unpublished: summary.unpublished, badLines: summary.badLines, elapsedMs },
    summary.ok ? 'agent done' : 'agent done with unpublished records',
  );
  process.stdout.write(`${args.json ? JSON.stringify({ ...summary, elapsedMs }) : formatSummary(summary, elapsedMs)}\n`);
  return exitCodeOf(summary);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`flk-agent: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
