package pcs

import "math"

// Decision parameters (§4, §5): tolerances and budget weights, configuration with these defaults.

// BudgetWeights are §4's budget weights.
type BudgetWeights struct {
	Base, Alpha, Beta, Gamma, D0 float64
}

// DecisionParams are the tolerances and budget weights of §5.
type DecisionParams struct {
	TolD, TolCoh, TolR, TolBudget float64
	Budget                        BudgetWeights
}

// DefaultBudgetWeights: base 0.10, α 0.30, β 0.50, γ 0.20, D0 2.2.
var DefaultBudgetWeights = BudgetWeights{Base: 0.1, Alpha: 0.3, Beta: 0.5, Gamma: 0.2, D0: 2.2}

// DefaultParams: tolD 0.15, tolCoh 0.05, tolR 0.05, tolBudget 0.05, default weights.
var DefaultParams = DecisionParams{TolD: 0.15, TolCoh: 0.05, TolR: 0.05, TolBudget: 0.05, Budget: DefaultBudgetWeights}

// DecisionParamsInput overrides defaults; nil fields keep them.
type DecisionParamsInput struct {
	TolD, TolCoh, TolR, TolBudget *float64
	Budget                        *BudgetWeightsInput
}

// BudgetWeightsInput overrides budget weights; nil fields keep the defaults.
type BudgetWeightsInput struct {
	Base, Alpha, Beta, Gamma, D0 *float64
}

// F returns a pointer to x (for the Input structs).
func F(x float64) *float64 { return &x }

// CreateDecisionParams is the defaults overridden by partial: tolerances finite and ≥ 0, weights
// finite, else FlkPcsError (PCS_INVALID_PARAMS).
func CreateDecisionParams(partial DecisionParamsInput) (DecisionParams, error) {
	out := DefaultParams
	tols := []struct {
		name string
		in   *float64
		out  *float64
	}{{"tolD", partial.TolD, &out.TolD}, {"tolCoh", partial.TolCoh, &out.TolCoh}, {"tolR", partial.TolR, &out.TolR}, {"tolBudget", partial.TolBudget, &out.TolBudget}}
	for _, t := range tols {
		if t.in == nil {
			continue
		}
		if math.IsNaN(*t.in) || math.IsInf(*t.in, 0) || *t.in < 0 {
			return DecisionParams{}, newError(CodeInvalidParams, "%s must be a finite number ≥ 0", t.name)
		}
		*t.out = *t.in
	}
	if b := partial.Budget; b != nil {
		ws := []struct {
			name string
			in   *float64
			out  *float64
		}{{"base", b.Base, &out.Budget.Base}, {"alpha", b.Alpha, &out.Budget.Alpha}, {"beta", b.Beta, &out.Budget.Beta}, {"gamma", b.Gamma, &out.Budget.Gamma}, {"D0", b.D0, &out.Budget.D0}}
		for _, w := range ws {
			if w.in == nil {
				continue
			}
			if math.IsNaN(*w.in) || math.IsInf(*w.in, 0) {
				return DecisionParams{}, newError(CodeInvalidParams, "budget.%s must be a finite number", w.name)
			}
			*w.out = *w.in
		}
	}
	return out, nil
}
