// @flk/pcs/conformance: the DedupStore conformance suite that the in-memory fake and every real
// adapter run (libs/redis against a real Redis), so the fake cannot drift. Imports @jest/globals:
// load it from jest tests only.
export { runDedupStoreConformance, type DedupConformanceOptions } from './dedup-conformance.js';
