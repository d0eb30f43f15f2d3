package pcs

import (
	"math"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// §1 structure rules (and §7.1 for v0.2), a port of validate.ts. Every problem found becomes one
// `malformed:<kind>[:<path>]` reason, in a fixed order (the contract's field order, then
// cross-field checks), so the same bad record gives the same reasons in every language.

// PcsLimits are the size bounds of a record (docs/contract.md §1, PCS_LIMITS).
var PcsLimits = struct {
	MaxJSONChars, MaxDepth, MinScales, MaxScales, MaxVStar, MaxFallbacks, MaxStringChars, MaxExtraNodes, MaxReasons int
}{
	MaxJSONChars:   1_048_576,
	MaxDepth:       32,
	MinScales:      2,
	MaxScales:      64,
	MaxVStar:       1024,
	MaxFallbacks:   64,
	MaxStringChars: 256,
	MaxExtraNodes:  10_000,
	MaxReasons:     32,
}

// MaxSafeInteger is 2^53 − 1.
const MaxSafeInteger = 1<<53 - 1

var knownFields = map[string]bool{
	"pcs_id": true, "schema": true, "version": true, "shard_id": true, "epoch": true, "attempt": true, "sent_at": true,
	"seed": true, "scales": true, "N_j": true, "coh_star": true, "v_star": true, "D_hat": true, "r": true, "regime": true,
	"budget": true, "merkle_root": true, "sig": true, "ft": true, "tenant_id": true, "key_id": true,
}

var ftFields = map[string]bool{"outbox_seq": true, "degraded": true, "fallbacks": true, "clock_skew_ms": true}

// IDPattern is §7.1's tenant_id / key_id rule: 1–64 characters of [a-z0-9._-], the first a letter or digit.
var IDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// ValidationResult is the outcome of ValidatePcs / ParsePcsJSON. When OK, Pcs holds the contract's
// fields only; otherwise Reasons lists every problem and PcsID is the input's pcs_id when it is a
// string of at most 256 UTF-16 units (else "").
type ValidationResult struct {
	OK      bool
	Pcs     *Pcs
	Reasons []string
	PcsID   string
}

type issues struct{ list []string }

func (is *issues) add(kind string, path ...string) {
	if len(path) == 0 {
		is.list = append(is.list, "malformed:"+kind)
	} else {
		is.list = append(is.list, "malformed:"+kind+":"+path[0])
	}
}

func (is *issues) str(path string, v any, present bool) (string, bool) {
	if !present {
		is.add("missing", path)
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		is.add("type", path)
		return "", false
	}
	if UTF16Len(s) > PcsLimits.MaxStringChars {
		is.add("too_long", path)
		return "", false
	}
	if !IsWellFormed(s) {
		is.add("encoding", path)
		return "", false
	}
	return s, true
}

func (is *issues) number(path string, v any, present bool) (float64, bool) {
	if !present {
		is.add("missing", path)
		return 0, false
	}
	x, ok := v.(float64)
	if !ok {
		is.add("type", path)
		return 0, false
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		is.add("non_finite", path)
		return 0, false
	}
	return x, true
}

// integer: within ±(2^53 − 1) and ≥ min; -0 is read as 0.
func (is *issues) integer(path string, v any, present bool, min float64) (int64, bool) {
	x, ok := is.number(path, v, present)
	if !ok {
		return 0, false
	}
	if x != math.Trunc(x) {
		is.add("not_integer", path)
		return 0, false
	}
	if math.Abs(x) > MaxSafeInteger || x < min {
		is.add("out_of_range", path)
		return 0, false
	}
	return int64(x), true
}

// optionalString: absent or null means not set (nil, true); a bad value is (nil, false).
func (is *issues) optionalString(path string, v any, present bool) (*string, bool) {
	if !present || v == nil {
		return nil, true
	}
	s, ok := is.str(path, v, true)
	if !ok {
		return nil, false
	}
	return &s, true
}

// ParsePcsBytes decodes UTF-8 bytes (invalid: malformed:utf8; a BOM is kept, hence malformed:json)
// and validates them. Never panics.
func ParsePcsBytes(b []byte) ValidationResult {
	if !utf8.Valid(b) {
		return ValidationResult{Reasons: []string{"malformed:utf8"}}
	}
	return ParsePcsJSON(string(b))
}

// ParsePcsJSON reads JSON text (see ReadJSON for the dialect) and validates it. Never panics.
func ParsePcsJSON(text string) ValidationResult {
	if !utf8.ValidString(text) {
		return ValidationResult{Reasons: []string{"malformed:utf8"}}
	}
	if len(text) > PcsLimits.MaxJSONChars && UTF16Len(text) > PcsLimits.MaxJSONChars {
		return ValidationResult{Reasons: []string{"malformed:too_large"}}
	}
	read := ReadJSON(text, PcsLimits.MaxDepth)
	if !read.OK {
		return ValidationResult{Reasons: []string{"malformed:" + read.Detail}}
	}
	return ValidatePcs(read.Value)
}

func pcsIDOf(input any) string {
	o, ok := input.(*Object)
	if !ok {
		return ""
	}
	v, _ := o.Get("pcs_id")
	if s, ok := v.(string); ok && UTF16Len(s) <= PcsLimits.MaxStringChars {
		return s
	}
	return ""
}

// ValidatePcs checks a decoded JSON value against §1 (and §7.1 when its version is "0.2") and the
// limits. Unknown v0.1 fields are checked for non-finite numbers, then dropped; a null sig /
// tenant_id / key_id is dropped as absent. A *Pcs is validated through its ToValue. Never panics.
func ValidatePcs(input any) (res ValidationResult) {
	if p, ok := input.(*Pcs); ok {
		input = p.ToValue()
	}
	defer func() {
		if recover() != nil {
			res = ValidationResult{Reasons: []string{"malformed:unreadable"}, PcsID: pcsIDOf(input)}
		}
	}()
	return validate(input)
}

func validate(input any) ValidationResult {
	o, ok := input.(*Object)
	if !ok {
		return ValidationResult{Reasons: []string{"malformed:not_object"}}
	}
	is := &issues{}
	get := func(k string) (any, bool) { return o.Get(k) }

	v, p := get("pcs_id")
	pcsID, okPcsID := is.str("pcs_id", v, p)
	v, p = get("schema")
	schema, okSchema := is.str("schema", v, p)
	if okSchema && schema != PcsSchema {
		is.add("invalid_value", "schema")
		okSchema = false
	}
	v, p = get("version")
	version, okVersion := is.str("version", v, p)
	v02 := okVersion && version == PcsVersionV02
	if okVersion && version != PcsVersion && !v02 {
		is.add("invalid_value", "version")
		okVersion = false
	}
	v, p = get("shard_id")
	shardID, okShard := is.str("shard_id", v, p)
	v, p = get("epoch")
	epoch, okEpoch := is.integer("epoch", v, p, -MaxSafeInteger)
	v, p = get("attempt")
	attempt, okAttempt := is.integer("attempt", v, p, -MaxSafeInteger)
	v, p = get("sent_at")
	sentAt, okSent := is.str("sent_at", v, p)
	if v02 && okSent {
		if _, ok := ParseSentAt(sentAt); !ok {
			is.add("invalid_value", "sent_at")
			okSent = false
		}
	}
	v, p = get("seed")
	seed, okSeed := is.integer("seed", v, p, -MaxSafeInteger)
	v, p = get("scales")
	scales, okScales := checkScales(is, v, p)
	v, p = get("N_j")
	nj, okNj := checkNj(is, v, p, scales, okScales)
	v, p = get("coh_star")
	coh, okCoh := is.number("coh_star", v, p)
	v, p = get("v_star")
	vstar, okVStar := checkVStar(is, v, p)
	v, p = get("D_hat")
	dhat, okDHat := is.number("D_hat", v, p)
	v, p = get("r")
	r, okR := is.number("r", v, p)
	v, p = get("regime")
	regime, okRegime := checkRegime(is, v, p)
	v, p = get("budget")
	budget, okBudget := is.number("budget", v, p)
	v, p = get("merkle_root")
	merkleRoot, okMerkle := is.str("merkle_root", v, p)
	v, p = get("sig")
	sig, _ := is.optionalString("sig", v, p)
	v, p = get("ft")
	ft, okFt := checkFt(is, v, p, v02)

	var tenantID, keyID *string
	if v02 {
		t, tp := get("tenant_id")
		if !tp || t == nil {
			is.add("missing", "tenant_id")
		} else if s, ok := is.str("tenant_id", t, true); ok {
			if IDPattern.MatchString(s) {
				tenantID = &s
			} else {
				is.add("invalid_value", "tenant_id")
			}
		}
		k, kp := get("key_id")
		if ks, _ := is.optionalString("key_id", k, kp); ks != nil {
			if IDPattern.MatchString(*ks) {
				keyID = ks
			} else {
				is.add("invalid_value", "key_id")
			}
		}
		for _, key := range o.Keys() {
			if !knownFields[key] {
				is.add("unexpected_key", SafeKey(key))
			}
		}
	} else {
		t, tp := get("tenant_id")
		tenantID, _ = is.optionalString("tenant_id", t, tp)
		k, kp := get("key_id")
		keyID, _ = is.optionalString("key_id", k, kp)
		left := PcsLimits.MaxExtraNodes
		for _, key := range o.Keys() {
			if !knownFields[key] {
				val, _ := o.Get(key)
				scanExtra(is, []any{key}, val, 1, &left)
			}
		}
	}

	if okPcsID && okMerkle && okEpoch && okShard {
		if id, err := ComputePcsID(merkleRoot, epoch, shardID); err == nil && id != pcsID {
			is.add("pcs_id_mismatch")
		}
	}

	if len(is.list) > 0 {
		reasons := is.list
		if len(reasons) > PcsLimits.MaxReasons {
			reasons = append(append([]string{}, reasons[:PcsLimits.MaxReasons-1]...), "malformed:too_many_problems")
		}
		return ValidationResult{Reasons: reasons, PcsID: pcsIDOf(o)}
	}
	_ = okSchema && okVersion && okAttempt && okSent && okSeed && okNj && okCoh && okVStar && okDHat && okR && okRegime && okBudget && okFt
	rec := &Pcs{
		PcsID: pcsID, Schema: schema, Version: version, ShardID: shardID, Epoch: epoch, Attempt: attempt,
		SentAt: sentAt, Seed: seed, Scales: scales, NJ: nj, CohStar: coh, VStar: vstar, DHat: dhat,
		R: r, Regime: regime, Budget: budget, MerkleRoot: merkleRoot, Ft: ft,
		Sig: sig, TenantID: tenantID, KeyID: keyID,
	}
	return ValidationResult{OK: true, Pcs: rec}
}

func checkScales(is *issues, v any, present bool) ([]int64, bool) {
	if !present {
		is.add("missing", "scales")
		return nil, false
	}
	arr, ok := v.([]any)
	if !ok {
		is.add("type", "scales")
		return nil, false
	}
	if len(arr) < PcsLimits.MinScales {
		is.add("too_short", "scales")
		return nil, false
	}
	if len(arr) > PcsLimits.MaxScales {
		is.add("too_long", "scales")
		return nil, false
	}
	out := make([]int64, 0, len(arr))
	seen := map[int64]bool{}
	good := true
	for i, e := range arr {
		path := "scales[" + strconv.Itoa(i) + "]"
		s, ok := is.integer(path, e, true, 2)
		if !ok {
			good = false
		} else if seen[s] {
			is.add("duplicate", path)
			good = false
		} else {
			seen[s] = true
			out = append(out, s)
		}
	}
	if !good {
		return nil, false
	}
	return out, true
}

// checkNj: one integer ≥ 1 per scale, keyed by the scale in decimal, no other key. Values are
// checked for every key; the key set is matched against the scales only when the scales are valid.
func checkNj(is *issues, v any, present bool, scales []int64, scalesOK bool) (map[string]int64, bool) {
	if !present {
		is.add("missing", "N_j")
		return nil, false
	}
	o, ok := v.(*Object)
	if !ok {
		is.add("type", "N_j")
		return nil, false
	}
	keys := o.Keys()
	if len(keys) > PcsLimits.MaxScales {
		is.add("too_long", "N_j")
		return nil, false
	}
	before := len(is.list)
	out := map[string]int64{}
	if !scalesOK {
		for _, key := range keys {
			val, _ := o.Get(key)
			is.integer("N_j."+SafeKey(key), val, true, 1)
		}
		return nil, false
	}
	wanted := map[string]bool{}
	for _, s := range scales {
		key := strconv.FormatInt(s, 10)
		wanted[key] = true
		path := "N_j." + key
		val, has := o.Get(key)
		if !has {
			is.add("missing", path)
			continue
		}
		if n, ok := is.integer(path, val, true, 1); ok {
			out[key] = n
		}
	}
	for _, key := range keys {
		if !wanted[key] {
			is.add("unexpected_key", "N_j."+SafeKey(key))
		}
	}
	if len(is.list) != before {
		return nil, false
	}
	return out, true
}

func checkVStar(is *issues, v any, present bool) ([]float64, bool) {
	if !present {
		is.add("missing", "v_star")
		return nil, false
	}
	arr, ok := v.([]any)
	if !ok {
		is.add("type", "v_star")
		return nil, false
	}
	if len(arr) > PcsLimits.MaxVStar {
		is.add("too_long", "v_star")
		return nil, false
	}
	out := make([]float64, 0, len(arr))
	good := true
	for i, e := range arr {
		x, ok := is.number("v_star["+strconv.Itoa(i)+"]", e, true)
		if !ok {
			good = false
		} else {
			out = append(out, x)
		}
	}
	if !good {
		return nil, false
	}
	return out, true
}

func checkRegime(is *issues, v any, present bool) (string, bool) {
	if !present {
		is.add("missing", "regime")
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		is.add("type", "regime")
		return "", false
	}
	for _, r := range Regimes {
		if s == r {
			return s, true
		}
	}
	is.add("invalid_value", "regime")
	return "", false
}

func checkFt(is *issues, v any, present bool, v02 bool) (PcsFt, bool) {
	if !present {
		is.add("missing", "ft")
		return PcsFt{}, false
	}
	o, ok := v.(*Object)
	if !ok {
		is.add("type", "ft")
		return PcsFt{}, false
	}
	before := len(is.list)
	val, p := o.Get("outbox_seq")
	seq, _ := is.integer("ft.outbox_seq", val, p, -MaxSafeInteger)
	deg, p := o.Get("degraded")
	degraded, isBool := deg.(bool)
	if !p {
		is.add("missing", "ft.degraded")
	} else if !isBool {
		is.add("type", "ft.degraded")
	}
	val, p = o.Get("fallbacks")
	fallbacks := checkFallbacks(is, val, p)
	val, p = o.Get("clock_skew_ms")
	skew, _ := is.number("ft.clock_skew_ms", val, p)
	left := PcsLimits.MaxExtraNodes
	for _, key := range o.Keys() {
		if ftFields[key] {
			continue
		}
		if v02 {
			is.add("unexpected_key", "ft."+SafeKey(key))
		} else {
			val, _ := o.Get(key)
			scanExtra(is, []any{"ft", key}, val, 2, &left)
		}
	}
	if len(is.list) != before {
		return PcsFt{}, false
	}
	return PcsFt{OutboxSeq: seq, Degraded: degraded, Fallbacks: fallbacks, ClockSkewMs: skew}, true
}

func checkFallbacks(is *issues, v any, present bool) []string {
	if !present {
		is.add("missing", "ft.fallbacks")
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		is.add("type", "ft.fallbacks")
		return nil
	}
	if len(arr) > PcsLimits.MaxFallbacks {
		is.add("too_long", "ft.fallbacks")
		return nil
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		if s, ok := is.str("ft.fallbacks["+strconv.Itoa(i)+"]", e, true); ok {
			out = append(out, s)
		}
	}
	return out
}

// scanExtra: unknown fields may hold anything JSON can, but no non-finite number; the walk is
// bounded in depth (too_deep) and in values visited (too_large).
func scanExtra(is *issues, path []any, v any, depth int, left *int) {
	*left--
	if *left < 0 {
		if *left == -1 {
			is.add("too_large")
		}
		return
	}
	switch x := v.(type) {
	case nil, string, bool:
		return
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			is.add("non_finite", PathLabel(path))
		}
		return
	case []any:
		if depth >= PcsLimits.MaxDepth {
			is.add("too_deep", PathLabel(path))
			return
		}
		for i := 0; i < len(x) && *left >= 0; i++ {
			scanExtra(is, append(append([]any{}, path...), i), x[i], depth+1, left)
		}
	case *Object:
		if depth >= PcsLimits.MaxDepth {
			is.add("too_deep", PathLabel(path))
			return
		}
		for _, key := range x.Keys() {
			if *left < 0 {
				return
			}
			val, _ := x.Get(key)
			scanExtra(is, append(append([]any{}, path...), key), val, depth+1, left)
		}
	default:
		is.add("type", PathLabel(path))
	}
}
