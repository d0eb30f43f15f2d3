package pcs

import (
	"sort"
	"strconv"
)

// Contract constants (types.ts).
const (
	PcsSchema     = "fractal-lba-kakeya"
	PcsVersion    = "0.1" // v0.1: the name of the first version (its payload has no version member)
	PcsVersionV02 = "0.2"
)

// PcsVersions are the versions this core knows (§1–§6 and §7).
var PcsVersions = []string{"0.1", "0.2"}

// Regimes are the allowed regime values (§4).
var Regimes = []string{"sticky", "mixed", "non_sticky"}

// PcsFt is the record's ft member.
type PcsFt struct {
	OutboxSeq   int64
	Degraded    bool
	Fallbacks   []string
	ClockSkewMs float64
}

// Pcs is a record that passed validation (or one built by BuildPcs). Integers are int64 (always
// within ±(2^53 − 1)); optional strings (sig, tenant_id, key_id) are nil when absent.
type Pcs struct {
	PcsID      string
	Schema     string
	Version    string
	ShardID    string
	Epoch      int64
	Attempt    int64
	SentAt     string
	Seed       int64
	Scales     []int64
	NJ         map[string]int64 // N_j, keyed by the scales in decimal
	CohStar    float64
	VStar      []float64
	DHat       float64
	R          float64
	Regime     string
	Budget     float64
	MerkleRoot string
	Sig        *string
	Ft         PcsFt
	TenantID   *string
	KeyID      *string
}

// Str returns a pointer to s (for the optional members).
func Str(s string) *string { return &s }

// Clone is a deep copy.
func (p *Pcs) Clone() *Pcs {
	c := *p
	c.Scales = append([]int64(nil), p.Scales...)
	c.VStar = append([]float64(nil), p.VStar...)
	c.Ft.Fallbacks = append([]string{}, p.Ft.Fallbacks...)
	c.NJ = make(map[string]int64, len(p.NJ))
	for k, v := range p.NJ {
		c.NJ[k] = v
	}
	for _, f := range []**string{&c.Sig, &c.TenantID, &c.KeyID} {
		if *f != nil {
			s := **f
			*f = &s
		}
	}
	return &c
}

// NJKeys are the N_j member names in the order a JavaScript object built in scales order holds
// them: array-index names ascending first, then the others in scales order.
func (p *Pcs) NJKeys() []string {
	seen := map[string]bool{}
	var idx, other []string
	for _, s := range p.Scales {
		k := strconv.FormatInt(s, 10)
		if _, ok := p.NJ[k]; !ok || seen[k] {
			continue
		}
		seen[k] = true
		if _, isIdx := arrayIndex(k); isIdx {
			idx = append(idx, k)
		} else {
			other = append(other, k)
		}
	}
	var rest []string
	for k := range p.NJ {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	sort.Slice(idx, func(i, j int) bool { a, _ := arrayIndex(idx[i]); b, _ := arrayIndex(idx[j]); return a < b })
	return append(append(idx, other...), rest...)
}

// ToValue is the record as a JSON value (an *Object), members in the order buildPcs writes them:
// pcs_id … merkle_root, ft, then tenant_id, key_id and sig when set.
func (p *Pcs) ToValue() *Object {
	o := NewObject()
	o.Set("pcs_id", p.PcsID)
	o.Set("schema", p.Schema)
	o.Set("version", p.Version)
	o.Set("shard_id", p.ShardID)
	o.Set("epoch", float64(p.Epoch))
	o.Set("attempt", float64(p.Attempt))
	o.Set("sent_at", p.SentAt)
	o.Set("seed", float64(p.Seed))
	scales := make([]any, len(p.Scales))
	for i, s := range p.Scales {
		scales[i] = float64(s)
	}
	o.Set("scales", scales)
	nj := NewObject()
	for _, k := range p.NJKeys() {
		nj.Set(k, float64(p.NJ[k]))
	}
	o.Set("N_j", nj)
	o.Set("coh_star", p.CohStar)
	vs := make([]any, len(p.VStar))
	for i, x := range p.VStar {
		vs[i] = x
	}
	o.Set("v_star", vs)
	o.Set("D_hat", p.DHat)
	o.Set("r", p.R)
	o.Set("regime", p.Regime)
	o.Set("budget", p.Budget)
	o.Set("merkle_root", p.MerkleRoot)
	ft := NewObject()
	ft.Set("outbox_seq", float64(p.Ft.OutboxSeq))
	ft.Set("degraded", p.Ft.Degraded)
	fb := make([]any, len(p.Ft.Fallbacks))
	for i, s := range p.Ft.Fallbacks {
		fb[i] = s
	}
	ft.Set("fallbacks", fb)
	ft.Set("clock_skew_ms", p.Ft.ClockSkewMs)
	o.Set("ft", ft)
	if p.TenantID != nil {
		o.Set("tenant_id", *p.TenantID)
	}
	if p.KeyID != nil {
		o.Set("key_id", *p.KeyID)
	}
	if p.Sig != nil {
		o.Set("sig", *p.Sig)
	}
	return o
}

// MarshalJSON is the record as compact JSON (JSON.stringify of ToValue: ECMAScript numbers).
func (p *Pcs) MarshalJSON() ([]byte, error) { return AppendJSON(nil, p.ToValue()), nil }

// Verdict statuses.
const (
	StatusAccepted  = "accepted"
	StatusEscalated = "escalated"
	StatusRejected  = "rejected"
)

// VerdictSource is where the decided record was read from (offset as a decimal string).
type VerdictSource struct {
	Topic     string
	Partition int64
	Offset    string
}

// Verdict is §5/§7.5's verdict. MarshalJSON prints the members in the contract's order.
type Verdict struct {
	PcsID            string
	Status           string
	Accepted         bool
	Escalated        bool
	RecomputedDHat   *float64
	RecomputedBudget *float64
	Reason           string
	Reasons          []string
	Duplicate        bool
	DecidedAt        string
	Source           *VerdictSource
	TenantID         *string
	SentAt           *string
	Version          *string
	KeyID            *string
	SignatureChecked bool
}

// ToValue is the verdict as a JSON value, members in the contract's order.
func (v *Verdict) ToValue() *Object {
	o := NewObject()
	o.Set("pcs_id", v.PcsID)
	o.Set("status", v.Status)
	o.Set("accepted", v.Accepted)
	o.Set("escalated", v.Escalated)
	o.Set("recomputed_D_hat", optNum(v.RecomputedDHat))
	o.Set("recomputed_budget", optNum(v.RecomputedBudget))
	o.Set("reason", v.Reason)
	rs := make([]any, len(v.Reasons))
	for i, r := range v.Reasons {
		rs[i] = r
	}
	o.Set("reasons", rs)
	o.Set("duplicate", v.Duplicate)
	o.Set("decided_at", v.DecidedAt)
	if v.Source == nil {
		o.Set("source", nil)
	} else {
		s := NewObject()
		s.Set("topic", v.Source.Topic)
		s.Set("partition", float64(v.Source.Partition))
		s.Set("offset", v.Source.Offset)
		o.Set("source", s)
	}
	o.Set("tenant_id", optStr(v.TenantID))
	o.Set("sent_at", optStr(v.SentAt))
	o.Set("version", optStr(v.Version))
	o.Set("key_id", optStr(v.KeyID))
	o.Set("signature_checked", v.SignatureChecked)
	return o
}

// MarshalJSON prints the verdict as compact JSON in the contract's member order.
func (v *Verdict) MarshalJSON() ([]byte, error) { return AppendJSON(nil, v.ToValue()), nil }

// JSON is the verdict's compact JSON text.
func (v *Verdict) JSON() string { return Stringify(v.ToValue()) }

func optNum(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func optStr(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// VerdictFromValue reads a verdict from its JSON value (e.g. a stored prior). Members that are
// absent take their zero value (null / false).
func VerdictFromValue(v any) (*Verdict, error) {
	o, ok := v.(*Object)
	if !ok {
		return nil, invalidArgument("verdict: expected an object")
	}
	var out Verdict
	str := func(k string) string { s, _ := getOpt(o, k).(string); return s }
	pstr := func(k string) *string {
		if s, ok := getOpt(o, k).(string); ok {
			return &s
		}
		return nil
	}
	pnum := func(k string) *float64 {
		if f, ok := getOpt(o, k).(float64); ok {
			return &f
		}
		return nil
	}
	boolean := func(k string) bool { b, _ := getOpt(o, k).(bool); return b }
	out.PcsID = str("pcs_id")
	out.Status = str("status")
	out.Accepted = boolean("accepted")
	out.Escalated = boolean("escalated")
	out.RecomputedDHat = pnum("recomputed_D_hat")
	out.RecomputedBudget = pnum("recomputed_budget")
	out.Reason = str("reason")
	out.Reasons = []string{}
	if arr, ok := getOpt(o, "reasons").([]any); ok {
		for _, r := range arr {
			if s, ok := r.(string); ok {
				out.Reasons = append(out.Reasons, s)
			}
		}
	}
	out.Duplicate = boolean("duplicate")
	out.DecidedAt = str("decided_at")
	if so, ok := getOpt(o, "source").(*Object); ok {
		src := &VerdictSource{}
		src.Topic, _ = getOpt(so, "topic").(string)
		if f, ok := getOpt(so, "partition").(float64); ok {
			src.Partition = int64(f)
		}
		src.Offset, _ = getOpt(so, "offset").(string)
		out.Source = src
	}
	out.TenantID = pstr("tenant_id")
	out.SentAt = pstr("sent_at")
	out.Version = pstr("version")
	out.KeyID = pstr("key_id")
	out.SignatureChecked = boolean("signature_checked")
	return &out, nil
}

func getOpt(o *Object, k string) any {
	v, _ := o.Get(k)
	return v
}
