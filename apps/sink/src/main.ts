// The FLK sink: consumes pcs.verdicts, writes the tamper-evident audit log, serves metrics.
//   npx tsx --conditions=@flk/source apps/sink/src/main.ts      (docs/sink.md)
import { pino } from 'pino';
import { ConfigError } from '@flk/config';
import { describeConfig, loadSinkConfig, type SinkConfig } from './config.js';
import { startSink } from './sink.js';

const STOP_TIMEOUT_MS = 20_000;

async function main(): Promise<void> {
  let config: SinkConfig;
  try {
    config = loadSinkConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`flk-sink: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = pino({ level: config.logLevel, base: { service: 'flk-sink' } });
  logger.info({ config: describeConfig(config) }, 'starting');

  let sink;
  try {
    sink = await startSink(config, logger);
  } catch (err) {
    logger.fatal({ error: (err as Error).message, code: (err as { code?: unknown }).code }, 'start-up failed');
    process.exit(1);
  }
  logger.info({ httpPort: sink.httpPort }, 'sink running');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: STOP_TIMEOUT_MS }, 'graceful stop timed out');
      process.exit(1);
    }, STOP_TIMEOUT_MS);
    timer.unref();
    sink.stop().then(
      () => process.exit(0),
      (err: Error) => {
        logger.error({ error: err.message }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const err = await sink.fatal;
  // Everything already logged is fsync'd; uncommitted batches are redone after the restart.
  logger.fatal({ error: err.message, code: (err as { code?: unknown }).code }, 'fatal error, exiting');
  process.exit(1);
}

void main();
