// W3C trace context for submissions: the caller's `traceparent` (or a new one) continues into the
// Kafka record's header, which the verifier copies onto the verdict and DLQ records and the sink
// onto the audit entry. Spans go through @opentelemetry/api: a no-op unless the operator
// registers an OpenTelemetry SDK (e.g. `node --import @opentelemetry/auto-instrumentations-node/register`),
// in which case the span's own id becomes the parent id downstream.
import { context, SpanKind, SpanStatusCode, trace, TraceFlags, type Span } from '@opentelemetry/api';
import { isTraceparent, newTraceparent } from '@flk/kafka';

const tracer = trace.getTracer('flk-gateway');

export interface SubmitTrace {
  span: Span;
  /** The traceparent to put on the Kafka record and the response. */
  traceparent: string;
}

/** Starts the server span of one request, child of the caller's traceparent when it is well formed. */
export function startSubmitSpan(name: string, incoming: string | undefined): SubmitTrace {
  const parent = isTraceparent(incoming) ? incoming : newTraceparent();
  const [, traceId, spanId, flags] = parent.split('-') as [string, string, string, string];
  const parentCtx = trace.setSpanContext(context.active(), { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true });
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER }, parentCtx);
  const sc = span.spanContext();
  // A recording span (an SDK is configured) is the parent of what follows; the no-op span only
  // echoes its parent's context, and then the caller's traceparent travels on unchanged.
  const traceparent = span.isRecording() ? `00-${sc.traceId}-${sc.spanId}-${sc.traceFlags.toString(16).padStart(2, '0')}` : parent;
  return { span, traceparent };
}

export function endSpan(span: Span, status: number, attributes: Record<string, string | number | boolean> = {}): void {
  span.setAttributes({ 'http.response.status_code': status, ...attributes });
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
