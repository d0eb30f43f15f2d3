// flk policy validate|diff|show (docs/policies.md). validate and diff are pure file work over
// @flk/policy; show asks the running verifier's ops endpoint what it uses.
import { checkPolicyText, diffPolicies, type Policy, type PolicySetView } from '@flk/policy';
import { parseCommandArgs, stringFlag } from '../args.js';
import { help, type Context } from '../context.js';
import { CliUsageError, EXIT, type ExitCode } from '../errors.js';
import { describeReadError, inputName } from '../io.js';
import { POLICY_DIFF_HELP, POLICY_HELP_CMD, POLICY_SHOW_HELP, POLICY_VALIDATE_HELP } from '../help-policy.js';

const DEFAULT_VERIFIER_URL = 'http://127.0.0.1:9464';

async function readPolicy(ctx: Context, file: string): Promise<{ ok: true; policy: Policy } | { ok: false }> {
  let text: string;
  try {
    text = await ctx.input.text(file);
  } catch (err) {
    ctx.out.error(`${inputName(file)}: ${describeReadError(err)}`);
    return { ok: false };
  }
  const r = checkPolicyText(text);
  if (r.ok) return r;
  for (const v of r.violations) ctx.out.error(`${inputName(file)}: ${v.path} ${v.message}`);
  return { ok: false };
}

export async function policyValidate(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, {}, POLICY_HELP_CMD.validate);
  if (parsed.values.help) return help(ctx, POLICY_VALIDATE_HELP);
  if (parsed.positionals.length === 0) throw new CliUsageError('no FILE given', POLICY_HELP_CMD.validate);
  let status: ExitCode = EXIT.OK;
  for (const file of parsed.positionals) {
    const r = await readPolicy(ctx, file);
    if (!r.ok) {
      status = EXIT.INPUT;
      continue;
    }
    const d = r.policy.document;
    ctx.out.line(`${inputName(file)}: ok ${d.id} ${d.version}${d.tenant === undefined ? '' : ` tenant=${d.tenant}`} ${r.policy.digest}`);
  }
  return status;
}

export async function policyDiff(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' } }, POLICY_HELP_CMD.diff);
  if (parsed.values.help) return help(ctx, POLICY_DIFF_HELP);
  if (parsed.positionals.length !== 2) throw new CliUsageError('expected two FILEs: A B', POLICY_HELP_CMD.diff);
  const [fa, fb] = parsed.positionals as [string, string];
  const a = await readPolicy(ctx, fa);
  const b = await readPolicy(ctx, fb);
  if (!a.ok || !b.ok) return EXIT.INPUT;
  const changes = diffPolicies(a.policy.document, b.policy.document);
  const who = (p: Policy) => ({ id: p.document.id, version: p.document.version, digest: p.digest });
  if (parsed.values.json) {
    ctx.out.line(JSON.stringify({ a: who(a.policy), b: who(b.policy), changes }));
  } else {
    for (const c of changes) ctx.out.line(`${c.path}: ${JSON.stringify(c.from) ?? '(absent)'} -> ${JSON.stringify(c.to) ?? '(absent)'}${c.widens ? '  WIDENS' : ''}`);
    if (changes.length === 0) ctx.out.line('identical parameters');
  }
  return changes.length === 0 ? EXIT.OK : EXIT.DIFFERS;
}

export async function policyShow(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, { url: { type: 'string' }, json: { type: 'boolean' } }, POLICY_HELP_CMD.show);
  if (parsed.values.help) return help(ctx, POLICY_SHOW_HELP);
  if (parsed.positionals.length > 0) throw new CliUsageError(`unexpected argument '${parsed.positionals[0]}'`, POLICY_HELP_CMD.show);
  const base = stringFlag(parsed, 'url') ?? ctx.io.env.FLK_VERIFIER_URL ?? DEFAULT_VERIFIER_URL;
  let url: URL;
  try {
    url = new URL('policy', base.endsWith('/') ? base : `${base}/`);
  } catch {
    throw new CliUsageError(`--url: not a URL: '${base}'`, POLICY_HELP_CMD.show);
  }
  const user = ctx.io.env.METRICS_USER;
  const pass = ctx.io.env.METRICS_PASS;
  const headers: Record<string, string> = user !== undefined && pass !== undefined ? { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` } : {};
  let body: string;
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    body = await res.text();
    if (!res.ok) {
      ctx.out.error(`${url.origin}: HTTP ${res.status}${res.status === 404 ? ' (a verifier without a policy set, or not a verifier)' : ''}`);
      return EXIT.INPUT;
    }
  } catch (err) {
    ctx.out.error(`${url.origin}: cannot reach the verifier: ${(err as Error).message}`);
    return EXIT.INPUT;
  }
  if (parsed.values.json) {
    ctx.out.line(body.trim());
    return EXIT.OK;
  }
  const view = JSON.parse(body) as PolicySetView;
  ctx.out.line(`policy set ${view.digest} (${view.source}, loaded ${view.loaded_at})`);
  ctx.out.line(`  global           ${view.global.id} ${view.global.version} ${view.global.digest} pii=${view.global.document.pii.mode}`);
  for (const [t, p] of Object.entries(view.tenants)) ctx.out.line(`  tenant ${t.padEnd(9)} ${p.id} ${p.version} ${p.digest} pii=${p.document.pii.mode}`);
  return EXIT.OK;
}
