package pcs

import (
	"math"
	"strings"
)

// §5 and §7.5: the verifier's decision, a pure function of the record, the configuration, `now`
// and the prior verdict for the same dedup key (decide.ts). Stages: CheckRecord (structure →
// version accepted → signature → freshness), DecideSignals (§5 signal checks), WithPrior (dedup).

// Escalation reasons of §5, in order.
var EscalationReasons = []string{"d_hat_mismatch", "coh_star_out_of_range", "r_out_of_range", "regime_mismatch", "budget_mismatch", "degraded"}

// Reasons of §5 / §7.3–§7.4 and the version gate.
const (
	ReasonOK                 = "ok"
	ReasonSignature          = "signature"
	ReasonUnknownKey         = "signature:unknown_key"
	ReasonTenantMismatch     = "signature:tenant_mismatch"
	ReasonKeyWindow          = "signature:key_window"
	ReasonStale              = "stale"
	ReasonClockSkew          = "clock_skew"
	ReasonVersionNotAccepted = "version_not_accepted"
)

// Contract defaults (§6, §7.4, §7.7).
const (
	DefaultDedupTTLSeconds = 1_209_600
	DefaultMaxAgeSeconds   = 1_036_800
	DefaultMaxSkewSeconds  = 300
)

// DecideConfig is everything Decide needs besides the record.
type DecideConfig struct {
	Params DecisionParams
	// Signatures false = PCS_SIGN_ALG=none: no signature is checked, for either version.
	Signatures bool
	// V01 is the v0.1 ring (any key accepted); nil = none configured (v0.1 signatures then fail).
	V01 KeyRing
	// Tenants is the v0.2 ring; nil = none (every v0.2 record is signature:unknown_key).
	Tenants        *TenantKeyRing
	AcceptVersions map[string]bool
	MaxAgeSeconds  int64
	MaxSkewSeconds int64
}

// DecideConfigInput configures CreateDecideConfig; zero values take the contract's defaults.
type DecideConfigInput struct {
	Params *DecisionParams
	// Signatures nil = true when any ring is given (a v0.1 ring other than "none", or a v0.2 ring).
	Signatures     *bool
	V01            KeyRing
	Tenants        *TenantKeyRing
	AcceptVersions []string // nil = 0.1, 0.2
	MaxAgeSeconds  *int64
	MaxSkewSeconds *int64
}

// CreateDecideConfig is a DecideConfig with the contract's defaults; checks what a caller could get wrong.
func CreateDecideConfig(in DecideConfigInput) (*DecideConfig, error) {
	signatures := (in.V01 != nil && in.V01.Alg() != AlgNone) || in.Tenants != nil
	if in.Signatures != nil {
		signatures = *in.Signatures
	}
	accept := in.AcceptVersions
	if accept == nil {
		accept = PcsVersions
	}
	set := map[string]bool{}
	for _, v := range accept {
		if v != PcsVersion && v != PcsVersionV02 {
			return nil, invalidArgument("acceptVersions must be a non-empty list of %s", strings.Join(PcsVersions, ", "))
		}
		set[v] = true
	}
	if len(accept) == 0 {
		return nil, invalidArgument("acceptVersions must be a non-empty list of %s", strings.Join(PcsVersions, ", "))
	}
	maxAge, maxSkew := int64(DefaultMaxAgeSeconds), int64(DefaultMaxSkewSeconds)
	if in.MaxAgeSeconds != nil {
		maxAge = *in.MaxAgeSeconds
	}
	if in.MaxSkewSeconds != nil {
		maxSkew = *in.MaxSkewSeconds
	}
	if maxAge < 0 || maxAge > MaxSafeInteger {
		return nil, invalidArgument("maxAgeSeconds must be a non-negative integer")
	}
	if maxSkew < 0 || maxSkew > MaxSafeInteger {
		return nil, invalidArgument("maxSkewSeconds must be a non-negative integer")
	}
	params := DefaultParams
	if in.Params != nil {
		params = *in.Params
	}
	return &DecideConfig{Params: params, Signatures: signatures, V01: in.V01, Tenants: in.Tenants, AcceptVersions: set, MaxAgeSeconds: maxAge, MaxSkewSeconds: maxSkew}, nil
}

// DecideMeta is the caller's side of a decision.
type DecideMeta struct {
	// DecidedAt is the ISO-8601 decision time (the caller's clock: Decide stays pure).
	DecidedAt string
	Source    *VerdictSource
	// Now is §7.4's now (the record's broker append time); required for v0.2 records.
	Now *Instant
}

// CheckedRecord is a record that passed structure, version, signature and freshness.
type CheckedRecord struct {
	Pcs *Pcs
	// DedupKey is tenant_id/pcs_id for v0.2, pcs_id for v0.1 (§7.5).
	DedupKey         string
	SignatureChecked bool
}

// CheckResult is CheckRecord's outcome: Record when OK, else the final rejected Verdict.
type CheckResult struct {
	OK      bool
	Record  *CheckedRecord
	Verdict *Verdict
}

// DedupKeyOf is §7.5's dedup key of a validated record.
func DedupKeyOf(p *Pcs) string {
	if p.Version == PcsVersionV02 && p.TenantID != nil {
		return *p.TenantID + "/" + p.PcsID
	}
	return p.PcsID
}

func readInput(input any) ValidationResult {
	switch x := input.(type) {
	case []byte:
		return ParsePcsBytes(x)
	case string:
		return ParsePcsJSON(x)
	}
	return ValidatePcs(input)
}

// CheckRecord is structure → version → signature → freshness. input is UTF-8 bytes ([]byte), JSON
// text (string), a decoded JSON value or a *Pcs. Errors only on programmer errors (a v0.2 record
// without meta.Now).
func CheckRecord(input any, cfg *DecideConfig, meta DecideMeta) (CheckResult, error) {
	read := readInput(input)
	if !read.OK {
		return CheckResult{Verdict: makeVerdict(read.PcsID, StatusRejected, read.Reasons, nil, nil, meta, nil, false)}, nil
	}
	p := read.Pcs
	reject := func(reason string, checked bool) (CheckResult, error) {
		return CheckResult{Verdict: makeVerdict(p.PcsID, StatusRejected, []string{reason}, nil, nil, meta, p, checked)}, nil
	}
	if !cfg.AcceptVersions[p.Version] {
		return reject(ReasonVersionNotAccepted, false)
	}
	v02 := p.Version == PcsVersionV02
	checked := false
	if cfg.Signatures {
		switch {
		case v02:
			if failure := tenantSignatureFailure(p, cfg); failure != "" {
				return reject(failure, true)
			}
			checked = true
		case cfg.V01 == nil:
			return reject(ReasonSignature, true)
		case cfg.V01.Alg() != AlgNone:
			d, err := SigningDigest(p)
			if err != nil || !cfg.V01.Verify(d, p.Sig) {
				return reject(ReasonSignature, true)
			}
			checked = true
		}
	}
	if v02 {
		if meta.Now == nil {
			return CheckResult{}, invalidArgument("checkRecord: meta.now is required for a v0.2 record (§7.4)")
		}
		now := *meta.Now
		sent, _ := ParseSentAt(p.SentAt)
		if now.Compare(sent.AddSeconds(cfg.MaxAgeSeconds)) > 0 {
			return reject(ReasonStale, checked)
		}
		if sent.Compare(now.AddSeconds(cfg.MaxSkewSeconds)) > 0 {
			return reject(ReasonClockSkew, checked)
		}
	}
	return CheckResult{OK: true, Record: &CheckedRecord{Pcs: p, DedupKey: DedupKeyOf(p), SignatureChecked: checked}}, nil
}

// tenantSignatureFailure is §7.3 with the one key the record names; "" = verified.
func tenantSignatureFailure(p *Pcs, cfg *DecideConfig) string {
	var key *TenantKey
	if p.KeyID != nil {
		key = cfg.Tenants.Get(*p.KeyID)
	}
	if key == nil {
		return ReasonUnknownKey
	}
	if p.TenantID == nil || key.TenantID != *p.TenantID {
		return ReasonTenantMismatch
	}
	if key.NotBefore != nil || key.NotAfter != nil {
		sent, _ := ParseSentAt(p.SentAt)
		if (key.NotBefore != nil && sent.Compare(*key.NotBefore) < 0) || (key.NotAfter != nil && sent.Compare(*key.NotAfter) > 0) {
			return ReasonKeyWindow
		}
	}
	d, err := SigningDigest(p)
	if err != nil || !key.Verify(d, p.Sig) {
		return ReasonSignature
	}
	return ""
}

// DecideSignals is §5's signal checks of a checked record: accepted, or escalated with every reason.
func DecideSignals(rec *CheckedRecord, cfg *DecideConfig, meta DecideMeta) (*Verdict, error) {
	reasons, dRec, bRec, err := SignalReasons(rec.Pcs, cfg.Params)
	if err != nil {
		return nil, err
	}
	status := StatusAccepted
	if len(reasons) > 0 {
		status = StatusEscalated
	}
	return makeVerdict(rec.Pcs.PcsID, status, reasons, &dRec, &bRec, meta, rec.Pcs, rec.SignatureChecked), nil
}

// WithPrior is the answer for a record whose dedup key was already taken: the stored verdict
// unchanged (the same pointer) when it came from this very source, otherwise a copy flagged
// duplicate with this delivery's source (decided_at stays the original's).
func WithPrior(prior *Verdict, meta DecideMeta) *Verdict {
	if sameSource(prior.Source, meta.Source) {
		return prior
	}
	c := *prior
	c.Duplicate = true
	c.Source = meta.Source
	return &c
}

// Decide runs every stage in order (structure → version → signature → freshness → dedup →
// signals, §7.5). prior is the stored verdict for this record's dedup key, or nil. Errors only on
// programmer errors (a prior for another record, a v0.2 record without meta.Now).
func Decide(input any, cfg *DecideConfig, prior *Verdict, meta DecideMeta) (*Verdict, error) {
	checked, err := CheckRecord(input, cfg, meta)
	if err != nil {
		return nil, err
	}
	if !checked.OK {
		return checked.Verdict, nil
	}
	if prior != nil {
		p := checked.Record.Pcs
		if prior.PcsID != p.PcsID || (p.Version == PcsVersionV02 && !strPtrEq(prior.TenantID, p.TenantID)) {
			return nil, invalidArgument("decide: prior verdict is for %s, not %s", prior.PcsID, p.PcsID)
		}
		return WithPrior(prior, meta), nil
	}
	return DecideSignals(checked.Record, cfg, meta)
}

// VerifiedTenant is the tenant a verdict may be attributed to: only a v0.2 record whose signature
// was verified (§7.5); "" otherwise.
func VerifiedTenant(v *Verdict) string {
	if v.Version == nil || *v.Version != PcsVersionV02 || !v.SignatureChecked || strings.HasPrefix(v.Reason, ReasonSignature) || v.TenantID == nil {
		return ""
	}
	return *v.TenantID
}

// SignalReasons is §3/§5 on the values after rounding: D̂, regime and budget recomputed from the
// rounded record values; every difference rounded per §2.2 before it is compared with '>'.
func SignalReasons(p *Pcs, params DecisionParams) (reasons []string, dRec, budgetRec float64, err error) {
	dRep := Round9(p.DHat)
	coh := Round9(p.CohStar)
	r := Round9(p.R)
	budgetRep := Round9(p.Budget)
	if dRec, err = ComputeDHat(p.Scales, p.NJ); err != nil {
		return nil, 0, 0, err
	}
	if budgetRec, err = ComputeBudget(r, dRec, coh, params.Budget); err != nil {
		return nil, 0, 0, err
	}
	reasons = []string{}
	if Round9(math.Abs(dRep-dRec)) > params.TolD {
		reasons = append(reasons, "d_hat_mismatch")
	}
	if coh < 0 || coh > Round9(1+params.TolCoh) {
		reasons = append(reasons, "coh_star_out_of_range")
	}
	if r < 0 || r > Round9(1+params.TolR) {
		reasons = append(reasons, "r_out_of_range")
	}
	if p.Regime != RegimeOf(dRec, coh) {
		reasons = append(reasons, "regime_mismatch")
	}
	if Round9(math.Abs(budgetRep-budgetRec)) > params.TolBudget {
		reasons = append(reasons, "budget_mismatch")
	}
	if p.Ft.Degraded {
		reasons = append(reasons, "degraded")
	}
	return reasons, dRec, budgetRec, nil
}

func sameSource(a, b *VerdictSource) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func strPtrEq(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func makeVerdict(pcsID, status string, reasons []string, dRec, bRec *float64, meta DecideMeta, p *Pcs, checked bool) *Verdict {
	reason := ReasonOK
	if len(reasons) > 0 {
		reason = reasons[0]
	}
	v := &Verdict{
		PcsID: pcsID, Status: status, Accepted: status == StatusAccepted, Escalated: status == StatusEscalated,
		RecomputedDHat: dRec, RecomputedBudget: bRec, Reason: reason, Reasons: append([]string{}, reasons...),
		DecidedAt: meta.DecidedAt, Source: meta.Source, SignatureChecked: checked,
	}
	if p != nil {
		v.TenantID = p.TenantID
		v.SentAt = Str(p.SentAt)
		v.Version = Str(p.Version)
		v.KeyID = p.KeyID
	}
	return v
}
