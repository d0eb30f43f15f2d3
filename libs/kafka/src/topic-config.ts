// Reading a topic's effective configuration (DescribeConfigs), for start-up checks of settings the
// pipeline's guarantees rest on (e.g. LogAppendTime on the verifier's input topic, contract §7.4).
import type { KafkaClient } from './client.js';
import { KafkaConfigError, toKafkaError } from './errors.js';

/** kafkajs ConfigResourceTypes.TOPIC (the protocol's resource type 2; kafkajs is CommonJS, so no named import). */
const TOPIC_RESOURCE = 2;

/** The effective values of `names` for `topic` (undefined = not reported by the broker). */
export async function describeTopicConfig(kafka: KafkaClient, topic: string, names: readonly string[]): Promise<Record<string, string | undefined>> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const res = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC_RESOURCE, name: topic, configNames: [...names] }] });
    const entries = res.resources[0]?.configEntries ?? [];
    return Object.fromEntries(names.map((n) => [n, entries.find((e) => e.configName === n)?.configValue]));
  } catch (err) {
    throw toKafkaError(err, `describe configs of ${topic}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Refuses an input topic that stamps the producer's time: the v0.2 replay window needs the broker's
 * append time as `now` (a producer could otherwise choose it). KafkaConfigError, not retriable.
 */
export async function requireLogAppendTime(kafka: KafkaClient, topic: string): Promise<void> {
  const { 'message.timestamp.type': type } = await describeTopicConfig(kafka, topic, ['message.timestamp.type']);
  if (type !== 'LogAppendTime') {
    throw new KafkaConfigError(`topic ${topic} has message.timestamp.type=${type ?? 'unknown'}; the verifier needs LogAppendTime (contract §7.4: the broker's append time is 'now' for freshness). Set it with kafka-configs --alter --add-config message.timestamp.type=LogAppendTime`);
  }
}

/** The partition count of `topic`, or null when the topic does not exist. */
export async function topicPartitions(kafka: KafkaClient, topic: string): Promise<number | null> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    if (!(await admin.listTopics()).includes(topic)) return null;
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    return meta.topics[0]?.partitions.length ?? null;
  } catch (err) {
    throw toKafkaError(err, `metadata of ${topic}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
