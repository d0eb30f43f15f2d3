// Verdict → HTTP status (docs/gateway.md): the seeds' table. Pure.
import { REJECTION_REASONS, type Verdict } from '@flk/pcs';

/** 200 accepted, 202 escalated, 401 any signature rejection, 400 any other rejection (a duplicate keeps its original status). */
export function httpStatusOf(v: Pick<Verdict, 'status' | 'reason'>): 200 | 202 | 400 | 401 {
  if (v.status === 'accepted') return 200;
  if (v.status === 'escalated') return 202;
  return v.reason === REJECTION_REASONS.SIGNATURE || v.reason.startsWith(`${REJECTION_REASONS.SIGNATURE}:`) ? 401 : 400;
}
