// The one backoff of every FLK package lives in @flk/pcs; re-exported so the Kafka lib's users
// (verifier, sink, gateway start-up loops) keep importing it from here.
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '@flk/pcs';
