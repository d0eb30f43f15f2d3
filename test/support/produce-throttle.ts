import type { LogEntry } from 'kafkajs';

/**
 * The throttle time (ms) of a produce response, from a kafkajs log entry; undefined for any other
 * entry. kafkajs reports a response's throttle time (broker-side, or KIP-219 client-side) only in
 * its debug line for the response, so a client that wants it logs at debug level.
 */
export function produceThrottleMs(entry: LogEntry): number | undefined {
  const data = (entry.log as { data?: { throttleTime?: number; clientSideThrottleTime?: number } }).data;
  if (!entry.log.message.startsWith('Response Produce') || !data) return undefined;
  return Math.max(data.throttleTime ?? 0, data.clientSideThrottleTime ?? 0);
}
