// @flk/pcs/testing: fakes, fixtures and the DedupStore conformance suite, for this lib's tests and
// for the adapters' (libs/redis runs runDedupStoreConformance against a real Redis).
// For jest only: runDedupStoreConformance imports @jest/globals, which fails outside a jest run
// (scripts such as the bench import ./sample.js directly).
export { createMemoryDedupStore } from './memory-dedup-store.js';
export { fixedClock, type ManualClock } from './clock.js';
export { runDedupStoreConformance, type DedupConformanceOptions } from './dedup-conformance.js';
export { sampleRecord, testKeyRing, testSigner, TEST_KEYS, type SampleOptions } from './sample.js';
