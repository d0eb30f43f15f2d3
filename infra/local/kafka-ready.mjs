// Readiness probe for the local Kafka broker (used by infra/local/stack.sh): succeeds once a
// metadata request (kafkajs admin describeCluster) answers. Plain JS ESM so it runs without a build.
//
//   node infra/local/kafka-ready.mjs [--once] [--timeout-ms N] [--pid PID] [--min-brokers N]
//
// Brokers come from KAFKA_BROKERS (default 127.0.0.1:9092). --once: a single attempt (status
// checks). Otherwise it polls until --timeout-ms (default 120000) and gives up early, exit 2, when
// the broker process --pid has exited. --min-brokers N (cluster mode): ready only once the metadata
// lists N brokers. Exit 0 = ready, 1 = not ready in time.
import { Kafka, logLevel } from 'kafkajs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const once = args.includes('--once');
const timeoutMs = Number(opt('--timeout-ms', '120000'));
const pid = Number(opt('--pid', '0'));
const minBrokers = Number(opt('--min-brokers', '1'));
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

const kafka = new Kafka({
  clientId: 'flk-stack-ready',
  brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 1000,
  requestTimeout: 3000,
  retry: { retries: 0 },
});

const alive = (p) => {
  try {
    process.kill(p, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
};

async function attempt() {
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length >= Math.max(1, minBrokers) && cluster.controller !== null && cluster.controller >= 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

const deadline = Date.now() + timeoutMs;
for (;;) {
  if (await attempt()) process.exit(0);
  if (once || Date.now() >= deadline) process.exit(1);
  if (pid > 0 && !alive(pid)) process.exit(2);
  await new Promise((resolve) => setTimeout(resolve, 250));
}
