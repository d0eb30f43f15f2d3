// Regression for the patched kafkajs producer send (patches/kafkajs+2.2.4.patch, kafkajs#1303):
// found by `npm run chaos -- cluster`, where a 20 s SIGSTOP of a partition leader lost records the
// producer had been told were written. kafkajs 2.2.4 kept one response per *broker* across retries:
// a send whose broker 1 failed, and whose broker 1 partitions then moved to broker 2 (which had
// already answered for its own partitions), resolved without writing the moved partitions at all.
// This drives kafkajs's own sendMessages with an in-memory cluster, so it fails on the unpatched file.
import { createRequire } from 'node:module';
import { describe, expect, test } from '@jest/globals';

const require = createRequire(import.meta.url);
type Message = { key: string; value: string; partition?: number };
type TopicData = Array<{ topic: string; partitions: Array<{ partition: number; messages: Message[]; firstSequence?: number }> }>;
type SendMessages = (args: { acks: number; timeout?: number; compression?: number; topicMessages: Array<{ topic: string; messages: Message[] }> }) => Promise<Array<{ topicName: string; partition: number; baseOffset: string }>>;
const createSendMessages = require('kafkajs/src/producer/sendMessages') as (deps: object) => SendMessages;
const createRetry = require('kafkajs/src/retry') as (opts: object) => unknown;
const { KafkaJSConnectionError } = require('kafkajs/src/errors') as { KafkaJSConnectionError: new (message: string, opts?: object) => Error };

/** An in-memory cluster: partition leaders that can move, brokers whose produce can be made to fail. */
function fakeCluster(leaders: Record<number, number>) {
  const written: Array<{ node: number; partition: number; messages: Message[] }> = [];
  const failNext = new Set<number>();
  const offsets = new Map<number, number>();
  const brokers = new Map<number, object>();
  const broker = (nodeId: number) => {
    let b = brokers.get(nodeId);
    if (b === undefined) {
      b = {
        nodeId,
        async produce({ topicData }: { topicData: TopicData }) {
          if (failNext.delete(nodeId)) throw new KafkaJSConnectionError(`broker ${nodeId} did not answer`, { retriable: true });
          return {
            topics: topicData.map(({ topic, partitions }) => ({
              topicName: topic,
              partitions: partitions.map(({ partition, messages }) => {
                if (leaders[partition] !== nodeId) throw new Error(`broker ${nodeId} is not the leader of ${partition}`);
                written.push({ node: nodeId, partition, messages });
                const base = offsets.get(partition) ?? 0;
                offsets.set(partition, base + messages.length);
                return { partition, errorCode: 0, baseOffset: String(base), logAppendTime: '-1', logStartOffset: '0' };
              }),
            })),
          };
        },
      };
      brokers.set(nodeId, b);
    }
    return b;
  };
  const metadata = () => Object.keys(leaders).map((p) => ({ partitionId: Number(p), leader: leaders[Number(p)], replicas: [1, 2, 3], isr: [1, 2, 3] }));
  const cluster = {
    targetTopics: new Set<string>(),
    async addMultipleTargetTopics() {},
    async refreshMetadataIfNecessary() {},
    async refreshMetadata() {},
    isConnected: () => true,
    removeBroker() {},
    findTopicPartitionMetadata: () => metadata(),
    findLeaderForPartitions(_topic: string, partitions: string[]) {
      const out: Record<number, number[]> = {};
      for (const p of partitions) (out[leaders[Number(p)]!] ??= []).push(Number(p));
      return out;
    },
    async findBroker({ nodeId }: { nodeId: string | number }) {
      return broker(Number(nodeId));
    },
  };
  return { cluster, written, failNext, leaders };
}

type Partitioner = (args: { message: Message; partitionMetadata: Array<{ partitionId: number }> }) => number;
// Keyed messages go where their `partition` says (the partitioner of a real producer would hash the key).
const byPartitionField: Partitioner = ({ message }) => message.partition!;

function sender(cluster: object, partitioner: Partitioner = byPartitionField) {
  const sequences = new Map<number, number>();
  const eosManager = {
    isTransactional: () => false,
    getTransactionalId: () => undefined,
    getProducerId: () => 1,
    getProducerEpoch: () => 0,
    async acquireBrokerLock() {},
    async releaseBrokerLock() {},
    async addPartitionsToTransaction() {},
    getSequence: (_t: string, p: number) => sequences.get(p) ?? 0,
    updateSequence: (_t: string, p: number, n: number) => void sequences.set(p, (sequences.get(p) ?? 0) + n),
  };
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const retrier = createRetry({ retries: 5, initialRetryTime: 1, maxRetryTime: 5 });
  return createSendMessages({ logger, cluster, partitioner, eosManager, retrier });
}

const messages = (partition: number, n: number): Message[] => Array.from({ length: n }, (_, i) => ({ key: `k${partition}-${i}`, value: `v${partition}-${i}`, partition }));

describe('kafkajs producer send (patched)', () => {
  test('a leader that fails mid-send: its partitions are written to the new leader even though that broker already answered', async () => {
    const { cluster, written, failNext, leaders } = fakeCluster({ 0: 1, 1: 2, 2: 2 });
    const send = sender(cluster);
    failNext.add(1);
    // Broker 1 fails; before the retry, the controller moves partition 0 to broker 2.
    const brokerOne = await cluster.findBroker({ nodeId: 1 });
    const produce = (brokerOne as { produce: (a: object) => Promise<unknown> }).produce;
    (brokerOne as { produce: (a: object) => Promise<unknown> }).produce = async (args) => {
      try {
        return await produce(args);
      } finally {
        leaders[0] = 2;
      }
    };
    const all = [...messages(0, 3), ...messages(1, 2), ...messages(2, 4)];
    const meta = await send({ acks: -1, topicMessages: [{ topic: 'pcs.submitted', messages: all }] });

    expect(meta.map((m) => m.partition).sort()).toEqual([0, 1, 2]);
    const byPartition = new Map<number, Message[]>();
    for (const w of written) byPartition.set(w.partition, [...(byPartition.get(w.partition) ?? []), ...w.messages]);
    expect(byPartition.get(0)).toEqual(messages(0, 3));
    expect(written.find((w) => w.partition === 0)!.node).toBe(2);
    // Partitions 1 and 2 were answered on the first attempt and are not written again.
    expect(byPartition.get(1)).toEqual(messages(1, 2));
    expect(byPartition.get(2)).toEqual(messages(2, 4));
  });

  test('a retry never re-partitions unkeyed messages: every message is written exactly once', async () => {
    const { cluster, written, failNext } = fakeCluster({ 0: 1, 1: 2 });
    // Round robin, as kafkajs's default partitioner treats unkeyed messages: a second grouping
    // would put different messages into the partition that failed.
    let next = 0;
    const send = sender(cluster, ({ partitionMetadata }) => next++ % partitionMetadata.length);
    failNext.add(2);
    const all = messages(0, 9);
    await send({ acks: -1, topicMessages: [{ topic: 't', messages: all }] });
    const keys = written.flatMap((w) => w.messages.map((m) => m.key)).sort();
    expect(keys).toEqual(all.map((m) => m.key).sort());
  });

  test('a partition without a known leader is a retriable error, not a silent drop', async () => {
    const { cluster } = fakeCluster({ 0: 1 });
    const send = sender({ ...cluster, findLeaderForPartitions: () => ({}) });
    await expect(send({ acks: -1, topicMessages: [{ topic: 't', messages: messages(0, 1) }] })).rejects.toThrow(/No leader known for a partition of topic t/);
  });
});
