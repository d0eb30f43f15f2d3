// Topics as code for the local stack: `bash infra/local/stack.sh topics` (also run by `up` once
// Kafka is healthy, before the schema registry starts). Plain JS ESM so it runs without a build.
//
// Idempotent: missing topics are created, existing ones are left alone (a partition count or
// config that differs from the spec below is reported, never altered). Replication factor
// KAFKA_REPLICATION_FACTOR (stack.sh: 1 on the single broker, 3 with FLK_STACK_BROKERS=3; then the
// pcs.* topics and _schemas also get min.insync.replicas=2 and unclean leader election off, so an
// acknowledged record is on two brokers and a lagging replica never becomes leader). Brokers come
// from KAFKA_BROKERS (default 127.0.0.1:9092).
import { Kafka, logLevel } from 'kafkajs';

const DAY_MS = 24 * 60 * 60 * 1000;

function intEnv(name, dflt) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (name.endsWith('_MS') ? -1 : 1)) {
    console.error(`topics: ${name}=${raw} is not a valid ${name.endsWith('_MS') ? 'duration in ms (-1 = forever)' : 'partition count'}`);
    process.exit(1);
  }
  return n;
}

/** The stack's topics. Keep in sync with docs/local-stack.md. */
const REPLICATION_FACTOR = intEnv('KAFKA_REPLICATION_FACTOR', 1);
const durability = REPLICATION_FACTOR >= 3 ? { 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false' } : {};

const SPEC = [
  {
    // Proof-of-Computation Summaries as submitted; keyed by pcs_id. LogAppendTime: the broker's
    // append time is the verifier's `now` for the v0.2 replay window (contract §7.4), so a
    // producer cannot choose it and a re-read offset decides the same.
    topic: 'pcs.submitted',
    numPartitions: intEnv('PCS_SUBMITTED_PARTITIONS', 6),
    configs: { 'cleanup.policy': 'delete', 'retention.ms': String(intEnv('PCS_SUBMITTED_RETENTION_MS', 7 * DAY_MS)), 'message.timestamp.type': 'LogAppendTime' },
  },
  {
    // One verdict per pcs_id (the record key): compaction keeps the latest verdict per key forever.
    topic: 'pcs.verdicts',
    numPartitions: intEnv('PCS_VERDICTS_PARTITIONS', 6),
    configs: { 'cleanup.policy': 'compact' },
  },
  {
    // Records that could not be processed; one partition keeps them in arrival order.
    topic: 'pcs.dlq',
    numPartitions: intEnv('PCS_DLQ_PARTITIONS', 1),
    configs: { 'cleanup.policy': 'delete', 'retention.ms': String(intEnv('PCS_DLQ_RETENTION_MS', 30 * DAY_MS)) },
  },
  {
    // The HTTP gateway's replies (apps/gateway, docs/gateway.md): the verifier writes a copy of a
    // verdict here, keyed by the submission's flk-reply-key header, in the same transaction as
    // pcs.verdicts; each gateway replica reads only the partitions it owns. Short-lived by design.
    topic: 'pcs.replies',
    numPartitions: intEnv('PCS_REPLIES_PARTITIONS', 12),
    configs: { 'cleanup.policy': 'delete', 'retention.ms': String(intEnv('PCS_REPLIES_RETENTION_MS', 60 * 60 * 1000)) },
  },
  {
    // The sink's signed audit checkpoints (docs/audit.md), keyed by the checkpoint's origin:
    // compaction keeps the newest checkpoint of each audit log forever; a restarted sink reads it
    // back and refuses a log that does not extend it.
    topic: 'pcs.audit.checkpoints',
    numPartitions: 1,
    configs: { 'cleanup.policy': 'compact' },
  },
  {
    // Schema registry storage (apps/schema-registry), as Confluent's: compacted, one partition.
    topic: '_schemas',
    numPartitions: 1,
    configs: { 'cleanup.policy': 'compact' },
  },
];

const TOPICS = SPEC.map((t) => ({ ...t, configs: { ...t.configs, ...durability } }));

const kafka = new Kafka({
  clientId: 'flk-stack-topics',
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  logLevel: logLevel.ERROR,
  retry: { retries: 5 },
});

const admin = kafka.admin();
await admin.connect();
try {
  const existing = new Set(await admin.listTopics());
  const missing = TOPICS.filter((t) => !existing.has(t.topic));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      timeout: 30000,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.numPartitions,
        replicationFactor: REPLICATION_FACTOR,
        configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
      })),
    });
  }

  // Report drift of topics that were already there (left alone on purpose).
  const kept = TOPICS.filter((t) => existing.has(t.topic));
  const notes = [];
  if (kept.length > 0) {
    const { topics } = await admin.fetchTopicMetadata({ topics: kept.map((t) => t.topic) });
    for (const t of kept) {
      const parts = topics.find((m) => m.name === t.topic)?.partitions ?? [];
      const have = parts.length;
      if (have !== t.numPartitions) notes.push(`${t.topic} has ${have} partitions (spec ${t.numPartitions}), left alone`);
      const rf = parts[0]?.replicas.length;
      if (rf !== undefined && rf !== REPLICATION_FACTOR) notes.push(`${t.topic} has replication factor ${rf} (spec ${REPLICATION_FACTOR}), left alone`);
    }
    // Topic configs (unlike partition counts) are safe to bring to the spec: a topic created before
    // a config was added to the spec (message.timestamp.type) gets it. alterConfigs sets the listed
    // configs of the topic; the spec lists every config we manage.
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: kept.map((t) => ({ type: 2, name: t.topic })) });
    const drift = kept.filter((t) => {
      const entries = described.resources.find((r) => r.resourceName === t.topic)?.configEntries ?? [];
      return Object.entries(t.configs).some(([name, value]) => entries.find((e) => e.configName === name)?.configValue !== value);
    });
    if (drift.length > 0) {
      await admin.alterConfigs({ validateOnly: false, resources: drift.map((t) => ({ type: 2, name: t.topic, configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })) })) });
      for (const t of drift) notes.push(`${t.topic}: configs brought to the spec (${Object.keys(t.configs).join(', ')})`);
    }
  }

  const fmt = (t) => `${t.topic}(${t.numPartitions}${t.configs['cleanup.policy'] === 'compact' ? ',compact' : ''}${REPLICATION_FACTOR > 1 ? `,rf${REPLICATION_FACTOR}` : ''})`;
  const parts = [];
  if (missing.length > 0) parts.push(`created ${missing.map(fmt).join(' ')}`);
  if (kept.length > 0) parts.push(`existing ${kept.map((t) => t.topic).join(' ')}`);
  console.log(parts.join('; '));
  for (const note of notes) console.log(`  note: ${note}`);
} finally {
  await admin.disconnect();
}
