import { describe, expect, test } from '@jest/globals';
import type { AgentSummary } from '@flk/agent';
import { parseAgentArgs, UsageError } from './args.js';
import { exitCodeOf, formatSummary } from './summary.js';

const base: AgentSummary = {
  lines: 12,
  blankLines: 0,
  events: 10,
  badLines: 2,
  badLineSamples: [{ line: 3, reason: 'not valid JSON' }, { line: 9, reason: 'ts: expected an RFC 3339 date-time' }],
  records: 4,
  published: 4,
  unpublished: 0,
  failedWindows: [],
  perShard: {
    a: { events: 5, records: 2, published: 2, unpublished: 0, lastPublishedSeq: 2, regimes: { sticky: 2, mixed: 0, non_sticky: 0 } },
    b: { events: 5, records: 2, published: 2, unpublished: 0, lastPublishedSeq: 2, regimes: { sticky: 0, mixed: 2, non_sticky: 0 } },
  },
  publishFailure: null,
  aborted: false,
  ok: true,
};

describe('summary line', () => {
  test('success: per shard counts and the bad lines by number', () => {
    const text = formatSummary(base, 1234);
    expect(text).toBe(
      'flk-agent: published 4/4 records from 10 events; per shard: a=2 b=2; bad lines 2; unpublished 0; 1.2s\n' +
        '  bad lines: line 3: not valid JSON; line 9: ts: expected an RFC 3339 date-time',
    );
    expect(exitCodeOf(base)).toBe(0);
  });

  test('failure: names how many were not published, exit 1', () => {
    const s: AgentSummary = {
      ...base,
      badLines: 0,
      badLineSamples: [],
      published: 1,
      unpublished: 3,
      ok: false,
      publishFailure: 'kafka connect: Connection error: connect ECONNREFUSED 127.0.0.1:1',
      perShard: { a: { ...base.perShard['a']!, published: 1, unpublished: 1 }, b: { ...base.perShard['b']!, published: 0, unpublished: 2 } },
    };
    const text = formatSummary(s, 50);
    expect(text).toMatch(/^flk-agent: published 1\/4 records from 10 events; per shard: a=1\(\+1 unpublished\) b=0\(\+2 unpublished\); bad lines 0; unpublished 3; 0\.1s/);
    expect(text).toMatch(/ERROR: 3 record\(s\) unpublished after the retry budget: kafka connect: .*ECONNREFUSED/);
    expect(exitCodeOf(s)).toBe(1);
  });
});

describe('arguments', () => {
  test('--input, -, --json', () => {
    expect(parseAgentArgs([])).toEqual({ input: '-', json: false, help: false });
    expect(parseAgentArgs(['--input', 'f.jsonl', '--json'])).toEqual({ input: 'f.jsonl', json: true, help: false });
    expect(parseAgentArgs(['-i', '-'])).toEqual({ input: '-', json: false, help: false });
    expect(parseAgentArgs(['-h']).help).toBe(true);
  });
  test('usage errors', () => {
    expect(() => parseAgentArgs(['--nope'])).toThrow(UsageError);
    expect(() => parseAgentArgs(['file.jsonl'])).toThrow(/unexpected argument 'file.jsonl'/);
    expect(() => parseAgentArgs(['--input'])).toThrow(UsageError);
  });
});
