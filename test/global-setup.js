// Integration tests run against the real local stack (Kafka KRaft, Redis, schema registry).
// Placeholder until infra/local lands: it is replaced by the stack bring-up.
export default async function globalSetup() {}
