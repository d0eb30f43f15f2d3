import { describe, expect, test } from '@jest/globals';
import { checkBasicAuth, isOpenPath, parseBasicAuthUsers } from './basic-auth.js';
import { loadConfig } from './config.js';

const header = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('basic auth users file', () => {
  test('name:password lines, comments and blank lines skipped; passwords may contain ":"', () => {
    const { users, problems } = parseBasicAuthUsers('# users\nflk-verifier:s3cret-one\n\nflk-sink:a:b:c:d:e:f\n');
    expect(problems).toEqual([]);
    expect([...users.keys()]).toEqual(['flk-verifier', 'flk-sink']);
    expect(checkBasicAuth(users, header('flk-verifier', 's3cret-one'))).toBe('flk-verifier');
    expect(checkBasicAuth(users, header('flk-sink', 'a:b:c:d:e:f'))).toBe('flk-sink');
  });

  test('bad lines are named by number, never by their password', () => {
    const { problems } = parseBasicAuthUsers('ok-user:long-enough\nno-colon-here\nshort:pw\nok-user:another-one\n');
    expect(problems).toHaveLength(3);
    expect(problems.join(' ')).toMatch(/line 2/);
    expect(problems.join(' ')).toMatch(/line 3/);
    expect(problems.join(' ')).toMatch(/line 4: user ok-user listed twice/);
    expect(problems.join(' ')).not.toMatch(/long-enough|another-one/);
    expect(parseBasicAuthUsers('# nobody\n').problems).toEqual(['no users listed']);
  });

  test('wrong password, unknown user, other schemes and garbage are refused', () => {
    const { users } = parseBasicAuthUsers('u1:password-1\n');
    expect(checkBasicAuth(users, header('u1', 'password-2'))).toBeUndefined();
    expect(checkBasicAuth(users, header('u2', 'password-1'))).toBeUndefined();
    expect(checkBasicAuth(users, undefined)).toBeUndefined();
    expect(checkBasicAuth(users, 'Bearer abc')).toBeUndefined();
    expect(checkBasicAuth(users, 'Basic !!!')).toBeUndefined();
    expect(checkBasicAuth(users, `Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeUndefined();
  });

  test('only GET / (the health check) is open', () => {
    expect(isOpenPath('GET', '/')).toBe(true);
    expect(isOpenPath('GET', '/subjects')).toBe(false);
    expect(isOpenPath('POST', '/')).toBe(false);
    expect(isOpenPath('GET', '/schemas/ids/1')).toBe(false);
  });

  test('the registry config reads the file once and names the variable on a problem', () => {
    const files: Record<string, string> = { '/users': 'flk:password-123\n', '/bad': 'x\n' };
    const readFile = (p: string) => {
      const t = files[p];
      if (t === undefined) throw new Error('ENOENT');
      return t;
    };
    expect(loadConfig({ SCHEMA_REGISTRY_BASIC_AUTH_USERS_FILE: '/users' }, readFile).basicAuthUsers?.size).toBe(1);
    expect(loadConfig({}, readFile).basicAuthUsers).toBeUndefined();
    expect(() => loadConfig({ SCHEMA_REGISTRY_BASIC_AUTH_USERS_FILE: '/missing' }, readFile)).toThrow(/SCHEMA_REGISTRY_BASIC_AUTH_USERS_FILE: cannot read \/missing/);
    expect(() => loadConfig({ SCHEMA_REGISTRY_BASIC_AUTH_USERS_FILE: '/bad' }, readFile)).toThrow(/SCHEMA_REGISTRY_BASIC_AUTH_USERS_FILE \(\/bad\): line 1/);
  });
});
