// How an FLK client reaches the schema registry: SCHEMA_REGISTRY_URL, plus HTTP basic auth for
// managed Confluent-compatible registries (Confluent Cloud's API key/secret, Apicurio, Karapace,
// our own apps/schema-registry with SCHEMA_REGISTRY_BASIC_AUTH_USERS_FILE). Read once at start-up.
import type { EnvReader } from './index.js';

export interface RegistryConnection {
  /** Base URL, without credentials (it is logged). */
  readonly registryUrl: string;
  /** Basic-auth credentials; absent = no Authorization header. Never logged. */
  readonly registryAuth?: { readonly username: string; readonly password: string };
}

export function readRegistryConnection(r: EnvReader, defaultUrl = 'http://127.0.0.1:8081'): RegistryConnection {
  const registryUrl = r.url('SCHEMA_REGISTRY_URL', defaultUrl);
  try {
    const u = new URL(registryUrl);
    // Credentials inside the URL would end up in every log line that names the registry.
    if (u.username !== '' || u.password !== '') r.problem('SCHEMA_REGISTRY_URL: must not contain credentials (use SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD)');
    if (u.protocol !== 'http:' && u.protocol !== 'https:') r.problem('SCHEMA_REGISTRY_URL: must be http:// or https://');
  } catch {
    // not a URL: already reported by r.url
  }
  const username = r.optionalString('SCHEMA_REGISTRY_USERNAME');
  const password = r.secret('SCHEMA_REGISTRY_PASSWORD');
  if (username === undefined && password === undefined) return { registryUrl };
  if (username === undefined || password === undefined) {
    r.problem('SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD go together (basic auth)');
    return { registryUrl };
  }
  if (username.includes(':')) r.problem('SCHEMA_REGISTRY_USERNAME: must not contain ":" (basic auth)');
  return { registryUrl, registryAuth: { username, password } };
}

/** What may be logged about a registry connection: the URL and whether auth is on, never the secret. */
export function describeRegistryConnection(c: RegistryConnection): { registryUrl: string; registryAuth: 'basic' | 'none' } {
  return { registryUrl: c.registryUrl, registryAuth: c.registryAuth === undefined ? 'none' : 'basic' };
}
