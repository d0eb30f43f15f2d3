// flk verifier: `npx tsx --conditions=@flk/source apps/verifier/src/main.ts` (docs/verifier.md).
// Thin on purpose: read config once, create the logger, run the app, handle signals and exits.
import { pino } from 'pino';
import { ConfigError } from '@flk/config';
import { createVerifierApp, type VerifierApp } from './app.js';
import { loadConfig } from './config.js';

const EXIT_CONFIG = 2;
const EXIT_FATAL = 1;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    // The config error names variables, never their values.
    process.stderr.write(`flk-verifier: ${err instanceof ConfigError ? err.message : String(err)}\n`);
    process.exit(EXIT_CONFIG);
  }
  const logger = pino({ level: config.logLevel, base: { service: 'flk-verifier', pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });

  let app: VerifierApp | undefined;
  let exiting = false;
  const exit = async (code: number, reason: string, err?: unknown): Promise<void> => {
    if (exiting) return;
    exiting = true;
    if (err !== undefined) logger.error({ err: err instanceof Error ? { name: err.name, message: err.message, code: (err as { code?: unknown }).code } : String(err) }, reason);
    else logger.info({ reason }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out');
      process.exit(code === 0 ? EXIT_FATAL : code);
    }, config.shutdownTimeoutMs);
    timer.unref();
    try {
      await app?.stop();
    } catch (stopErr) {
      logger.error({ err: (stopErr as Error)?.message }, 'error during shutdown');
      code = code === 0 ? EXIT_FATAL : code;
    }
    process.exit(code);
  };

  process.on('SIGHUP', () => {
    void app?.reloadKeyRing('SIGHUP');
    void app?.reloadPolicies('SIGHUP');
  });
  process.once('SIGTERM', () => void exit(0, 'SIGTERM'));
  process.once('SIGINT', () => void exit(0, 'SIGINT'));
  process.on('uncaughtException', (err) => void exit(EXIT_FATAL, 'uncaught exception', err));
  process.on('unhandledRejection', (err) => void exit(EXIT_FATAL, 'unhandled rejection', err));

  try {
    app = await createVerifierApp(config, { logger, onFatal: (err) => void exit(EXIT_FATAL, 'non-retriable error', err) });
    await app.start();
  } catch (err) {
    await exit(EXIT_FATAL, 'start-up failed', err);
  }
}

void main();
