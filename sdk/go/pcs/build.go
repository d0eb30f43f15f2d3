package pcs

import "strings"

// What an agent does (§1, §3, §4): from its points and data chunks to a complete, signed record
// (build.ts).

// DefaultScales are the box-counting scales of BuildPcs.
var DefaultScales = []int64{2, 4, 8, 16, 32}

// BuildPcsInput is BuildPcs's input. Optional members: Attempt (nil = 1), Scales (nil =
// DefaultScales), Fallbacks (nil = none), TenantID / KeyID (nil = absent), Version ("" = "0.1").
type BuildPcsInput struct {
	ShardID     string
	Epoch       int64
	Attempt     *int64
	Seed        int64
	SentAt      string
	Points      [][]float64
	Chunks      [][]byte
	Scales      []int64
	OutboxSeq   int64
	Degraded    bool
	Fallbacks   []string
	ClockSkewMs float64
	// TenantID is required for v0.2 (§7.1); optional and unsigned in v0.1.
	TenantID *string
	// KeyID names the signing key in the verifier's v0.2 ring (§7.3).
	KeyID   *string
	Version string
}

// BuildPcs builds a record. Signals are stored rounded per §2.2 (D̂, coh★, r, budget), and regime
// and budget are derived from those rounded values, exactly as the verifier recomputes them. Signed
// when signer is not nil. Errors are FlkPcsError, including for anything that would make the record
// fail validation (the result is validated).
func BuildPcs(in BuildPcsInput, signer Signer, params *DecisionParams) (*Pcs, error) {
	p := DefaultParams
	if params != nil {
		p = *params
	}
	scales := append([]int64(nil), DefaultScales...)
	if in.Scales != nil {
		scales = append([]int64(nil), in.Scales...)
	}
	if len(in.Points) == 0 {
		return nil, invalidArgument("buildPcs: at least one point is needed")
	}
	if in.Epoch > MaxSafeInteger || in.Epoch < -MaxSafeInteger {
		return nil, invalidArgument("buildPcs: epoch must be an integer within ±(2^53 − 1)")
	}
	version := in.Version
	if version == "" {
		version = PcsVersion
	}
	if version != PcsVersion && version != PcsVersionV02 {
		return nil, invalidArgument("buildPcs: unknown version '%s'", version)
	}
	if version == PcsVersionV02 && in.TenantID == nil {
		return nil, invalidArgument("buildPcs: a v0.2 record needs a tenant_id")
	}
	nj, err := CountBoxes(in.Points, scales)
	if err != nil {
		return nil, err
	}
	dHat, err := ComputeDHat(scales, nj)
	if err != nil {
		return nil, err
	}
	coh, err := ComputeCoherence(in.Points, in.Seed, 0, 0)
	if err != nil {
		return nil, err
	}
	cohStar := Round9(coh.CohStar)
	var all []byte
	for _, c := range in.Chunks {
		all = append(all, c...)
	}
	r := Round9(Compressibility(all))
	merkleRoot := MerkleRoot(in.Chunks)
	regime := RegimeOf(dHat, cohStar)
	budget, err := ComputeBudget(r, dHat, cohStar, p.Budget)
	if err != nil {
		return nil, err
	}
	pcsID, err := ComputePcsID(merkleRoot, in.Epoch, in.ShardID)
	if err != nil {
		return nil, err
	}
	attempt := int64(1)
	if in.Attempt != nil {
		attempt = *in.Attempt
	}
	rec := &Pcs{
		PcsID: pcsID, Schema: PcsSchema, Version: version, ShardID: in.ShardID, Epoch: in.Epoch, Attempt: attempt,
		SentAt: in.SentAt, Seed: in.Seed, Scales: scales, NJ: nj, CohStar: cohStar, VStar: coh.VStar, DHat: dHat,
		R: r, Regime: regime, Budget: budget, MerkleRoot: merkleRoot,
		Ft: PcsFt{OutboxSeq: in.OutboxSeq, Degraded: in.Degraded, Fallbacks: append([]string{}, in.Fallbacks...), ClockSkewMs: in.ClockSkewMs},
	}
	if in.TenantID != nil {
		rec.TenantID = Str(*in.TenantID)
	}
	if in.KeyID != nil {
		rec.KeyID = Str(*in.KeyID)
	}
	out := rec
	if signer != nil {
		if out, err = SignPcs(rec, signer); err != nil {
			return nil, err
		}
	}
	// Never emit what a verifier would reject as malformed (e.g. an over-long shard_id).
	if check := ValidatePcs(out.ToValue()); !check.OK {
		return nil, invalidArgument("buildPcs: the record would be malformed (%s)", strings.Join(check.Reasons, ", "))
	}
	return out, nil
}
