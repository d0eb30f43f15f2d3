// Decision parameters (§4, §5): tolerances and budget weights, configuration with these defaults.
import { FlkPcsError, PCS_ERROR_CODES } from './errors.js';

export interface BudgetWeights {
  base: number;
  alpha: number;
  beta: number;
  gamma: number;
  D0: number;
}

/** §4 regime thresholds: `sticky` if coh★ ≥ stickyCohMin and D̂ ≤ stickyDMax; else `non_sticky` if D̂ ≥ nonStickyDMin. */
export interface RegimeThresholds {
  stickyCohMin: number;
  stickyDMax: number;
  nonStickyDMin: number;
}

export interface DecisionParams {
  tolD: number;
  tolCoh: number;
  tolR: number;
  tolBudget: number;
  budget: BudgetWeights;
  /** Absent = the contract's thresholds (DEFAULT_REGIME_THRESHOLDS); set by a policy document (@flk/policy). */
  regime?: RegimeThresholds;
}

export const DEFAULT_BUDGET_WEIGHTS: Readonly<BudgetWeights> = Object.freeze({ base: 0.1, alpha: 0.3, beta: 0.5, gamma: 0.2, D0: 2.2 });

export const DEFAULT_REGIME_THRESHOLDS: Readonly<RegimeThresholds> = Object.freeze({ stickyCohMin: 0.7, stickyDMax: 1.5, nonStickyDMin: 2.6 });

export const DEFAULT_PARAMS: Readonly<DecisionParams> = Object.freeze({
  tolD: 0.15,
  tolCoh: 0.05,
  tolR: 0.05,
  tolBudget: 0.05,
  budget: DEFAULT_BUDGET_WEIGHTS,
});

export type DecisionParamsInput = Partial<Omit<DecisionParams, 'budget' | 'regime'>> & { budget?: Partial<BudgetWeights> };

const TOLERANCES = ['tolD', 'tolCoh', 'tolR', 'tolBudget'] as const;
const WEIGHTS = ['base', 'alpha', 'beta', 'gamma', 'D0'] as const;

function bad(message: string): FlkPcsError {
  return new FlkPcsError(PCS_ERROR_CODES.INVALID_PARAMS, message);
}

/**
 * Defaults overridden by `partial`, validated once (at start-up, by the app): tolerances are
 * finite and ≥ 0, weights finite. Unknown keys are errors, so a typo cannot silently keep a default.
 */
export function createDecisionParams(partial: DecisionParamsInput = {}): DecisionParams {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) throw bad('decision params must be an object');
  for (const key of Object.keys(partial)) {
    if (!(TOLERANCES as readonly string[]).includes(key) && key !== 'budget') throw bad(`unknown decision parameter '${key}'`);
  }
  const out: DecisionParams = { ...DEFAULT_PARAMS, budget: { ...DEFAULT_BUDGET_WEIGHTS } };
  for (const key of TOLERANCES) {
    const v: unknown = partial[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(`${key} must be a finite number ≥ 0`);
    out[key] = v;
  }
  const budget: unknown = partial.budget;
  if (budget !== undefined) {
    if (typeof budget !== 'object' || budget === null || Array.isArray(budget)) throw bad('budget must be an object');
    for (const key of Object.keys(budget)) {
      if (!(WEIGHTS as readonly string[]).includes(key)) throw bad(`unknown budget weight '${key}'`);
    }
    for (const key of WEIGHTS) {
      const v: unknown = (budget as Record<string, unknown>)[key];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`budget.${key} must be a finite number`);
      out.budget[key] = v;
    }
  }
  return out;
}
