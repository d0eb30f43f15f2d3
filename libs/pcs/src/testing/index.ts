// @flk/pcs/testing: fakes and fixtures for tests, benchmarks and drills (no test-runner imports,
// so scripts can load it). The jest conformance suite is the separate entry @flk/pcs/conformance.
export { createMemoryDedupStore } from './memory-dedup-store.js';
export { fixedClock, type ManualClock } from './clock.js';
export { sampleRecord, sampleRecordV02, testDecideConfig, testKeyRing, testSigner, testTenantRing, TEST_KEYS, TEST_RING_ENTRIES, type SampleOptions } from './sample.js';
