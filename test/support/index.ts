// Shared helpers for integration tests against the real local stack (Kafka, Redis, schema
// registry; test/global-setup.js brings it up and exports KAFKA_BROKERS, REDIS_URL and
// SCHEMA_REGISTRY_URL). Random topic/group/key names per test; everything created is deleted.
export * from './names.js';
export * from './kafka.js';
export * from './records.js';
export * from './processes.js';
export * from './redis.js';
export * from './pipeline.js';
export * from './tcp-proxy.js';
export * from './chaos.js';
export * from './gateway.js';
export * from './openapi.js';
export * from './tmpfs.js';
