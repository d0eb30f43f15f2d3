// HTTP basic auth for the registry, the way managed Confluent-compatible registries do it (an API
// key and secret per client): SCHEMA_REGISTRY_BASIC_AUTH_USERS_FILE lists `name:password` lines.
// Every path needs credentials except `GET /`, the health check (it answers `{}` and reveals
// nothing), so probes and stack.sh need no secret. Passwords are compared as SHA-256 digests with
// timingSafeEqual (no early exit on the first differing byte); no password is ever logged.
import { createHash, timingSafeEqual } from 'node:crypto';

export type BasicAuthUsers = ReadonlyMap<string, Buffer>;

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Parses the users file; problems name the line, never its password. */
export function parseBasicAuthUsers(text: string): { users: BasicAuthUsers; problems: string[] } {
  const users = new Map<string, Buffer>();
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon);
    const password = colon < 0 ? '' : line.slice(colon + 1);
    if (!/^[A-Za-z0-9._@-]{1,128}$/.test(name) || password.length < 8) {
      problems.push(`line ${i + 1}: expected name:password (name of [A-Za-z0-9._@-], password of 8+ characters)`);
      return;
    }
    if (users.has(name)) problems.push(`line ${i + 1}: user ${name} listed twice`);
    users.set(name, digest(password));
  });
  if (users.size === 0 && problems.length === 0) problems.push('no users listed');
  return { users, problems };
}

/** The authenticated user name, or undefined when the Authorization header does not match a user. */
export function checkBasicAuth(users: BasicAuthUsers, header: string | undefined): string | undefined {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header?.trim() ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const name = decoded.slice(0, colon);
  const want = users.get(name);
  const got = digest(decoded.slice(colon + 1));
  // Compared even for an unknown user, so the time taken does not tell which names exist.
  const ok = timingSafeEqual(want ?? digest(''), got) && want !== undefined;
  return ok ? name : undefined;
}

/** Paths that need no credentials: the health check only. */
export function isOpenPath(method: string, url: string): boolean {
  return method === 'GET' && (url === '/' || url.startsWith('/?'));
}
