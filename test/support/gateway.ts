// An HTTP client for the gateway (Node's fetch, i.e. undici) that validates every response against
// schemas/gateway-openapi.yaml, and helpers to write the key ring and token files it reads.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyRingEntry, Verdict } from '@flk/pcs';
import { loadOpenApi } from './openapi.js';

const api = loadOpenApi();

export interface GatewayResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body (undefined for other content types). */
  json: Record<string, unknown> & Partial<Verdict>;
  ms: number;
}

export interface CallOptions {
  body?: string | object;
  headers?: Record<string, string>;
  /** Skip the OpenAPI check (a test that asserts a deliberate mismatch). */
  unchecked?: boolean;
  signal?: AbortSignal;
}

/** One request through fetch; the response is checked against the OpenAPI document unless `unchecked`. */
export async function callGateway(base: string, method: string, path: string, opts: CallOptions = {}): Promise<GatewayResponse> {
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const headers = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers };
  const t0 = performance.now();
  const res = await fetch(base + path, { method, body, headers, signal: opts.signal });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (!opts.unchecked) api.response(method, path, { status: res.status, headers: res.headers, body: text });
  let json: GatewayResponse['json'] = {};
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) json = JSON.parse(text) as GatewayResponse['json'];
  return { status: res.status, headers: res.headers, text, json, ms };
}

/** Checks a request body against the document's request schema (the valid records a test sends). */
export function checkSubmitRequest(body: unknown): void {
  api.request('POST', '/v1/pcs/submit', body);
}

const dir = mkdtempSync(join(tmpdir(), 'flk-gateway-'));

/** A v0.2 key ring file ({"keys": [...]}), as PCS_KEYRING_FILE. */
export function writeKeyRingFile(name: string, keys: readonly KeyRingEntry[]): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ keys }));
  return path;
}

/** A GATEWAY_TOKENS_FILE: SHA-256 digests of the tokens, per tenant. */
export function writeTokensFile(name: string, tokens: ReadonlyArray<{ tenant_id: string; sha256: string }>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ tokens }));
  return path;
}
