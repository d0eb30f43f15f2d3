// flk gateway: `node --conditions=@flk/source --import tsx apps/gateway/src/main.ts` (docs/gateway.md).
// Thin on purpose: read config once, create the logger, run the app, handle signals and exits.
import { pino } from 'pino';
import { ConfigError } from '@flk/config';
import { createGatewayApp, type GatewayApp } from './app.js';
import { loadConfig } from './config.js';

const EXIT_CONFIG = 2;
const EXIT_FATAL = 1;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    process.stderr.write(`flk-gateway: ${err instanceof ConfigError ? err.message : String(err)}\n`);
    process.exit(EXIT_CONFIG);
  }
  const logger = pino({ level: config.logLevel, base: { service: 'flk-gateway', pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
  let app: GatewayApp | undefined;
  let exiting = false;
  const exit = async (code: number, reason: string, err?: unknown): Promise<void> => {
    if (exiting) return;
    exiting = true;
    if (err !== undefined) logger.error({ err: err instanceof Error ? { name: err.name, message: err.message, code: (err as { code?: unknown }).code } : String(err) }, reason);
    else logger.info({ reason }, 'shutting down');
    const timer = setTimeout(() => process.exit(code === 0 ? EXIT_FATAL : code), config.shutdownTimeoutMs);
    timer.unref();
    try {
      await app?.stop();
    } catch (stopErr) {
      logger.error({ err: (stopErr as Error)?.message }, 'error during shutdown');
      code = code === 0 ? EXIT_FATAL : code;
    }
    process.exit(code);
  };
  process.on('SIGHUP', () => void app?.reloadKeyRing('SIGHUP'));
  process.once('SIGTERM', () => void exit(0, 'SIGTERM'));
  process.once('SIGINT', () => void exit(0, 'SIGINT'));
  process.on('uncaughtException', (err) => void exit(EXIT_FATAL, 'uncaught exception', err));
  process.on('unhandledRejection', (err) => void exit(EXIT_FATAL, 'unhandled rejection', err));
  try {
    app = await createGatewayApp(config, { logger });
    await app.start();
  } catch (err) {
    await exit(EXIT_FATAL, 'start-up failed', err);
  }
}

void main();
