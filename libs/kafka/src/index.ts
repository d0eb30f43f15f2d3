export { createKafkaClient, kafkaConfig, kafkaLogCreator } from './client.js';
export type { KafkaClient, KafkaClientOptions, KafkaLogLevel, KafkaSaslOptions, KafkaTlsOptions } from './client.js';
export { createTransactionalOutputs, transactionalIdFor } from './transactional-output.js';
export type { InputOffset, OutputMessage, PartitionOutput, TransactionalOutputs, TransactionalOutputsOptions } from './transactional-output.js';
export { createTransactionalConsumer, headerValue } from './transactional-consumer.js';
export type {
  BatchContext,
  BatchProcessor,
  ConsumedRecord,
  ConsumerEvent,
  RecordBatch,
  TransactionalConsumer,
  TransactionalConsumerOptions,
} from './transactional-consumer.js';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
export { FastDefaultPartitioner, murmur2 } from './partitioner.js';
export type { BackoffOptions } from './backoff.js';
export {
  FlkKafkaError,
  KafkaConfigError,
  KafkaFencedError,
  KafkaProgrammerError,
  KafkaUnavailableError,
  KAFKA_ERROR_CODES,
  toKafkaError,
} from './errors.js';
export type { KafkaErrorCode } from './errors.js';
export { describeTopicConfig, requireLogAppendTime, topicPartitions } from './topic-config.js';
export { isTraceparent, newTraceparent, REPLY_KEY_HEADER, REPLY_KEY_PATTERN, TRACEPARENT_HEADER } from './headers.js';
