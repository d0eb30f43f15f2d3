package pcs

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Every file of test/vectors/ is loaded (and v02.json must be there): the golden vectors are the
// contract between the SDKs.
var vectorFiles = map[string]func(*testing.T){
	"round9.json":     testRound9Vectors,
	"canonical.json":  testCanonicalVectors,
	"signatures.json": testSignatureVectors,
	"signals.json":    testSignalVectors,
	"build.json":      testBuildVectors,
	"verdicts.json":   testVerdictVectors,
	"v02.json":        testV02Vectors,
	// A copy of shared/v02_public.json (contract §7.6).
	"contract-v02-public.json": func(t *testing.T) { testPublicV02File(t, filepath.Join(vectorsDir(), "contract-v02-public.json")) },
}

func TestVectorFiles(t *testing.T) {
	entries, err := os.ReadDir(vectorsDir())
	if err != nil {
		t.Fatalf("test/vectors: %v", err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		name := e.Name()
		seen[name] = true
		run, ok := vectorFiles[name]
		if !ok {
			t.Errorf("test/vectors/%s: no Go test reads this vector file", name)
			continue
		}
		t.Run(name, run)
	}
	var want []string
	for name := range vectorFiles {
		want = append(want, name)
	}
	sort.Strings(want)
	for _, name := range want {
		if !seen[name] && name != "contract-v02-public.json" {
			if name == "v02.json" && os.Getenv("FLK_ALLOW_MISSING_V02") == "1" {
				t.Logf("test/vectors/v02.json is missing (allowed by FLK_ALLOW_MISSING_V02=1)")
				continue
			}
			t.Errorf("test/vectors/%s is missing", name)
		}
	}
}

func testRound9Vectors(t *testing.T) {
	v := loadVector(t, "round9.json")
	cases := farr(v, "cases")
	if len(cases) < 20000 {
		t.Fatalf("only %d cases", len(cases))
	}
	bad := 0
	for _, c := range cases {
		pair := c.([]any)
		in := fromBits(t, pair[0].(string))
		want := pair[1].(string)
		if got := bits16(Round9(in)); got != want {
			bad++
			if bad < 10 {
				t.Errorf("round9(%v [%s]) = %s, want %s", in, pair[0], got, want)
			}
		}
		if got := bits16(Round9Exact(in)); got != want {
			bad++
			if bad < 10 {
				t.Errorf("round9Exact(%v [%s]) = %s, want %s", in, pair[0], got, want)
			}
		}
	}
	t.Logf("%d round9 cases", len(cases))
}

func testCanonicalVectors(t *testing.T) {
	v := loadVector(t, "canonical.json")
	keys := fobj(v, "keys")
	hmacSigner := must(CreateHmacSigner(fstr(keys, "hmac_key")))
	edSigner := must(CreateEd25519Signer(fstr(keys, "ed25519_priv_b64")))
	for _, c := range farr(v, "cases") {
		name := fstr(c, "name")
		fields := fobj(c, "fields")
		for _, k := range fobj(c, "field_bits").Keys() {
			if got := bits16(fnum(fields, k)); got != fstr(fobj(c, "field_bits"), k) {
				t.Errorf("%s: %s read as %s, want bits %s", name, k, got, fstr(fobj(c, "field_bits"), k))
			}
		}
		payload, err := CanonicalPayload(fields)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if payload != fstr(c, "payload") {
			t.Errorf("%s: payload\n got %s\nwant %s", name, payload, fstr(c, "payload"))
		}
		d := must(SigningDigest(fields))
		if hex.EncodeToString(d) != fstr(c, "digest_hex") {
			t.Errorf("%s: digest", name)
		}
		id, err := ComputePcsID(fstr(fields, "merkle_root"), int64(fnum(fields, "epoch")), fstr(fields, "shard_id"))
		if err != nil || id != fstr(c, "pcs_id") {
			t.Errorf("%s: pcs_id %s %v", name, id, err)
		}
		if s, _ := hmacSigner.Sign(d); s != fstr(c, "hmac_sig") {
			t.Errorf("%s: hmac sig %s", name, s)
		}
		if s, _ := edSigner.Sign(d); s != fstr(c, "ed25519_sig") {
			t.Errorf("%s: ed25519 sig %s", name, s)
		}
	}
}

func testSignatureVectors(t *testing.T) {
	v := loadVector(t, "signatures.json")
	keys := fobj(v, "keys")
	rings := map[string]KeyRing{
		"hmac":    must(CreateKeyRing(KeyRingOptions{Alg: AlgHmac, HmacKeys: []string{fstr(keys, "hmac_key"), fstr(keys, "hmac_key_2")}})),
		"ed25519": must(CreateKeyRing(KeyRingOptions{Alg: AlgEd25519, Ed25519PublicKeysB64: []string{fstr(keys, "ed25519_pub_b64"), fstr(keys, "ed25519_pub_2_b64")}})),
	}
	digest := hexBytes(t, fstr(v, "digest_hex"))
	for _, c := range farr(v, "cases") {
		var sig *string
		if s, ok := field(c, "sig").(string); ok {
			sig = &s
		}
		want := field(c, "valid").(bool)
		if got := rings[fstr(c, "alg")].Verify(digest, sig); got != want {
			t.Errorf("%s: verify = %v, want %v", fstr(c, "name"), got, want)
		}
	}
	for _, c := range farr(v, "bad_ed25519_public_keys") {
		if _, err := CreateKeyRing(KeyRingOptions{Alg: AlgEd25519, Ed25519PublicKeysB64: []string{fstr(c, "pub_b64")}}); err == nil {
			t.Errorf("%s: ring accepted a bad public key", fstr(c, "name"))
		} else if e, ok := err.(*FlkPcsError); !ok || e.Code != CodeInvalidKey || e.Retriable() {
			t.Errorf("%s: error %v", fstr(c, "name"), err)
		}
	}
}

func testSignalVectors(t *testing.T) {
	v := loadVector(t, "signals.json")
	for _, c := range farr(v, "d_hat") {
		got, err := ComputeDHat(toInt64s(farr(c, "scales")), toNj(fobj(c, "N_j")))
		if err != nil || got != fnum(c, "D_hat") {
			t.Errorf("d_hat %s: %v %v, want %v", fstr(c, "name"), got, err, fnum(c, "D_hat"))
		}
	}
	for i, c := range farr(v, "budget") {
		got := must(ComputeBudget(fnum(c, "r"), fnum(c, "D_hat"), fnum(c, "coh_star"), DefaultBudgetWeights))
		if got != fnum(c, "budget") {
			t.Errorf("budget #%d: %v, want %v", i, got, fnum(c, "budget"))
		}
	}
	for i, c := range farr(v, "regime") {
		if got := RegimeOf(fnum(c, "D_hat"), fnum(c, "coh_star")); got != fstr(c, "regime") {
			t.Errorf("regime #%d: %s, want %s", i, got, fstr(c, "regime"))
		}
	}
	for _, c := range farr(v, "compressibility") {
		data := b64(t, fstr(c, "data_b64"))
		if got := Compressibility(data); got != fnum(c, "r") {
			t.Errorf("compressibility %s: %v, want %v", fstr(c, "name"), got, fnum(c, "r"))
		}
		if n, ok := field(c, "compressed_len").(float64); ok && len(ZlibCompress(data)) != int(n) {
			t.Errorf("compressibility %s: compressed length %d, want %v", fstr(c, "name"), len(ZlibCompress(data)), n)
		}
	}
	for i, c := range farr(v, "merkle") {
		var chunks [][]byte
		for _, s := range farr(c, "chunks_b64") {
			chunks = append(chunks, b64(t, s.(string)))
		}
		if got := MerkleRoot(chunks); got != fstr(c, "root") {
			t.Errorf("merkle #%d: %s", i, got)
		}
	}
	for _, c := range farr(v, "splitmix64") {
		rng := NewSplitMix64(int64(fnum(c, "seed")))
		for j, want := range farr(c, "outputs") {
			if got := rng.NextUint64(); strconvU(got) != want.(string) {
				t.Errorf("splitmix64 seed %v output %d: %d, want %s", fnum(c, "seed"), j, got, want)
			}
		}
	}
	for _, c := range farr(v, "coherence_directions") {
		dirs := must(CoherenceDirections(int64(fnum(c, "seed")), int(fnum(c, "dim")), int(fnum(c, "count"))))
		for i, d := range farr(c, "directions_bits") {
			for k, b := range d.([]any) {
				if got := bits16(dirs[i][k]); got != b.(string) {
					t.Errorf("direction seed %v #%d[%d]: %s, want %s", fnum(c, "seed"), i, k, got, b)
				}
			}
		}
	}
	for _, c := range farr(v, "coherence") {
		got := must(ComputeCoherence(toPoints(farr(c, "points")), int64(fnum(c, "seed")), int(fnum(c, "directions")), int(fnum(c, "bins"))))
		if got.CohStar != fnum(c, "coh_star") {
			t.Errorf("coherence %s: coh_star %v, want %v", fstr(c, "name"), got.CohStar, fnum(c, "coh_star"))
		}
		for k, b := range farr(c, "v_star_bits") {
			if bits16(got.VStar[k]) != b.(string) {
				t.Errorf("coherence %s: v_star[%d] %s, want %s", fstr(c, "name"), k, bits16(got.VStar[k]), b)
			}
		}
	}
	for _, c := range farr(v, "count_boxes") {
		got := must(CountBoxes(toPoints(farr(c, "points")), toInt64s(farr(c, "scales"))))
		want := toNj(fobj(c, "N_j"))
		for k, n := range want {
			if got[k] != n {
				t.Errorf("count_boxes %s: N_j.%s = %d, want %d", fstr(c, "name"), k, got[k], n)
			}
		}
		if len(got) != len(want) {
			t.Errorf("count_boxes %s: %d keys, want %d", fstr(c, "name"), len(got), len(want))
		}
	}
}

func strconvU(u uint64) string {
	b := []byte{}
	if u == 0 {
		return "0"
	}
	for u > 0 {
		b = append([]byte{byte('0' + u%10)}, b...)
		u /= 10
	}
	return string(b)
}

func buildInputFrom(t testing.TB, in *Object) BuildPcsInput {
	bi := BuildPcsInput{
		ShardID: fstr(in, "shard_id"), Epoch: int64(fnum(in, "epoch")), Seed: int64(fnum(in, "seed")),
		SentAt: fstr(in, "sent_at"), Points: toPoints(farr(in, "points")),
	}
	for _, s := range farr(in, "chunks_b64") {
		bi.Chunks = append(bi.Chunks, b64(t, s.(string)))
	}
	if in.Has("attempt") {
		a := int64(fnum(in, "attempt"))
		bi.Attempt = &a
	}
	if in.Has("scales") {
		bi.Scales = toInt64s(farr(in, "scales"))
	}
	if in.Has("outbox_seq") {
		bi.OutboxSeq = int64(fnum(in, "outbox_seq"))
	}
	if b, ok := field(in, "degraded").(bool); ok {
		bi.Degraded = b
	}
	if in.Has("fallbacks") {
		bi.Fallbacks = toStrings(farr(in, "fallbacks"))
	}
	bi.ClockSkewMs = fnum(in, "clock_skew_ms")
	if s, ok := field(in, "tenant_id").(string); ok {
		bi.TenantID = &s
	}
	if s, ok := field(in, "key_id").(string); ok {
		bi.KeyID = &s
	}
	if s, ok := field(in, "version").(string); ok {
		bi.Version = s
	}
	return bi
}

func testBuildVectors(t *testing.T) {
	v := loadVector(t, "build.json")
	keys := fobj(v, "keys")
	signers := map[string]Signer{
		"hmac":    must(CreateHmacSigner(fstr(keys, "hmac_key"))),
		"ed25519": must(CreateEd25519Signer(fstr(keys, "ed25519_priv_b64"))),
	}
	for _, c := range farr(v, "cases") {
		name := fstr(c, "name")
		var signer Signer
		if s, ok := field(c, "signer").(string); ok {
			signer = signers[s]
		}
		rec, err := BuildPcs(buildInputFrom(t, fobj(c, "input")), signer, nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got, _ := rec.MarshalJSON()
		if want := Stringify(fobj(c, "expected")); string(got) != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
		for k, b := range farr(c, "expected_v_star_bits") {
			if bits16(rec.VStar[k]) != b.(string) {
				t.Errorf("%s: v_star[%d] bits %s, want %s", name, k, bits16(rec.VStar[k]), b)
			}
		}
	}
}

func paramsFrom(t testing.TB, o *Object) DecisionParams {
	if o == nil {
		return DefaultParams
	}
	var in DecisionParamsInput
	for _, k := range o.Keys() {
		x, _ := o.Get(k)
		switch k {
		case "tolD":
			in.TolD = F(x.(float64))
		case "tolCoh":
			in.TolCoh = F(x.(float64))
		case "tolR":
			in.TolR = F(x.(float64))
		case "tolBudget":
			in.TolBudget = F(x.(float64))
		case "budget":
			b := &BudgetWeightsInput{}
			bo := x.(*Object)
			for _, w := range bo.Keys() {
				y, _ := bo.Get(w)
				f := F(y.(float64))
				switch w {
				case "base":
					b.Base = f
				case "alpha":
					b.Alpha = f
				case "beta":
					b.Beta = f
				case "gamma":
					b.Gamma = f
				case "D0":
					b.D0 = f
				default:
					t.Fatalf("unknown budget weight %s", w)
				}
			}
			in.Budget = b
		default:
			t.Fatalf("unknown param %s", k)
		}
	}
	return must(CreateDecisionParams(in))
}

func metaFrom(o *Object) DecideMeta {
	m := DecideMeta{DecidedAt: fstr(o, "decidedAt")}
	if s := fobj(o, "source"); s != nil {
		m.Source = &VerdictSource{Topic: fstr(s, "topic"), Partition: int64(fnum(s, "partition")), Offset: fstr(s, "offset")}
	}
	return m
}

// sameVerdict compares a verdict with an expected one member by member (an expected verdict of an
// older vector file may lack the v0.2 members); when expected has every member, the whole JSON text
// must be identical (order included).
func sameVerdict(t *testing.T, name string, got *Verdict, expected *Object) {
	t.Helper()
	gv := got.ToValue()
	if expected.Len() == gv.Len() {
		if g, w := Stringify(gv), Stringify(expected); g != w {
			t.Errorf("%s:\n got %s\nwant %s", name, g, w)
		}
		return
	}
	for _, k := range expected.Keys() {
		w, _ := expected.Get(k)
		g, ok := gv.Get(k)
		if !ok || Stringify(g) != Stringify(w) {
			t.Errorf("%s: %s = %s, want %s", name, k, Stringify(g), Stringify(w))
		}
	}
}

func testVerdictVectors(t *testing.T) {
	v := loadVector(t, "verdicts.json")
	keys := fobj(v, "keys")
	rings := map[string]KeyRing{
		"none":    must(CreateKeyRing(KeyRingOptions{Alg: AlgNone})),
		"hmac":    must(CreateKeyRing(KeyRingOptions{Alg: AlgHmac, HmacKeys: []string{fstr(keys, "hmac_key"), fstr(keys, "hmac_key_2")}})),
		"ed25519": must(CreateKeyRing(KeyRingOptions{Alg: AlgEd25519, Ed25519PublicKeysB64: []string{fstr(keys, "ed25519_pub_b64"), fstr(keys, "ed25519_pub_2_b64")}})),
	}
	n := 0
	for _, c := range farr(v, "cases") {
		name := fstr(c, "name")
		ring := rings[fstr(c, "keyring")]
		params := paramsFrom(t, fobj(c, "params"))
		sig := ring.Alg() != AlgNone
		cfg := must(CreateDecideConfig(DecideConfigInput{Params: &params, V01: ring, Signatures: &sig}))
		var prior *Verdict
		if p := fobj(c, "prior"); p != nil {
			prior = must(VerdictFromValue(p))
		}
		text, isText := field(c, "input_json").(string)
		if !isText {
			text = Stringify(field(c, "input"))
		}
		meta := metaFrom(fobj(c, "meta"))
		got, err := Decide([]byte(text), cfg, prior, meta)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		sameVerdict(t, name, got, fobj(c, "expected"))
		if !isText {
			// The decoded value decides the same way as its text.
			got2 := must(Decide(field(c, "input"), cfg, prior, meta))
			if got2.JSON() != got.JSON() {
				t.Errorf("%s: value and text decide differently", name)
			}
		}
		n++
	}
	t.Logf("%d verdict cases", n)
}

// ---- v0.2 (test/vectors/v02.json and shared/v02_public.json) ------------------------------------

func TestV02PublicVector(t *testing.T) {
	// The contract's own file when shared/ is beside the repository (as in CI), else our copy.
	path := filepath.Join(sharedDir(), "v02_public.json")
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join(vectorsDir(), "contract-v02-public.json")
	}
	testPublicV02File(t, path)
}

func testPublicV02File(t *testing.T, path string) {
	v := loadJSONFile(t, path)
	rec := fobj(v, "record")
	payload, err := CanonicalPayload(rec)
	if err != nil || payload != fstr(v, "payload") {
		t.Fatalf("payload %v\n got %s\nwant %s", err, payload, fstr(v, "payload"))
	}
	d := must(SigningDigest(rec))
	if hex.EncodeToString(d) != fstr(v, "digest_hex") {
		t.Errorf("digest")
	}
	signer := must(CreateHmacSigner(fstr(v, "hmac_key")))
	if s, _ := signer.Sign(d); s != fstr(v, "sig_hmac") {
		t.Errorf("sig %s", s)
	}
	// The signed record, through the validated record, gives the same payload and is accepted.
	signed := fobj(v, "signed")
	res := ValidatePcs(signed)
	if !res.OK {
		t.Fatalf("signed record invalid: %v", res.Reasons)
	}
	if p2 := must(CanonicalPayload(res.Pcs)); p2 != payload {
		t.Errorf("validated record payload differs")
	}
	if DedupKeyOf(res.Pcs) != fstr(v, "dedup_key") {
		t.Errorf("dedup key %s", DedupKeyOf(res.Pcs))
	}
	ring := must(ParseKeyRing(`{"keys":[{"key_id":"acme-2026-11","tenant_id":"acme","alg":"hmac","secret":"demo-key"}]}`, nil))
	cfg := must(CreateDecideConfig(DecideConfigInput{Tenants: ring}))
	now, _ := ParseRFC3339("2025-01-01T00:00:10Z")
	verdict := must(Decide(signed, cfg, nil, DecideMeta{DecidedAt: "2025-01-01T00:00:10.000Z", Now: &now}))
	if verdict.Status != StatusAccepted || *verdict.RecomputedDHat != fnum(v, "recomputed_D_hat") || *verdict.RecomputedBudget != fnum(v, "recomputed_budget") || !verdict.SignatureChecked {
		t.Errorf("verdict %s", verdict.JSON())
	}
}

type mapSources map[string]string

func (m mapSources) Env(name string) (string, bool) { v, ok := m[name]; return v, ok }
func (m mapSources) ReadFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}

func testV02Vectors(t *testing.T) {
	v := loadVector(t, "v02.json")
	keys := fobj(v, "keys")
	hmacSigner := must(CreateHmacSigner(fstr(keys, "hmac_key")))
	edSigner := must(CreateEd25519Signer(fstr(keys, "ed25519_priv_b64")))
	for _, c := range farr(v, "canonical") {
		name := fstr(c, "name")
		rec := field(c, "record")
		payload, err := CanonicalPayload(rec)
		if err != nil || payload != fstr(c, "payload") {
			t.Errorf("canonical %s: %v\n got %s\nwant %s", name, err, payload, fstr(c, "payload"))
			continue
		}
		d := must(SigningDigest(rec))
		if hex.EncodeToString(d) != fstr(c, "digest_hex") {
			t.Errorf("canonical %s: digest", name)
		}
		if s, _ := hmacSigner.Sign(d); field(c, "hmac_sig") != nil && s != fstr(c, "hmac_sig") {
			t.Errorf("canonical %s: hmac sig", name)
		}
		if s, _ := edSigner.Sign(d); field(c, "ed25519_sig") != nil && s != fstr(c, "ed25519_sig") {
			t.Errorf("canonical %s: ed25519 sig", name)
		}
	}
	rings := map[string]*TenantKeyRing{}
	if ro := fobj(v, "rings"); ro != nil {
		for _, name := range ro.Keys() {
			r, _ := ro.Get(name)
			ring, err := ParseKeyRing(Stringify(r), nil)
			if err != nil {
				t.Fatalf("ring %s: %v", name, err)
			}
			rings[name] = ring
		}
	}
	v01Rings := map[string]KeyRing{
		"hmac":    must(CreateKeyRing(KeyRingOptions{Alg: AlgHmac, HmacKeys: []string{fstr(keys, "hmac_key"), fstr(keys, "hmac_key_2")}})),
		"ed25519": must(CreateKeyRing(KeyRingOptions{Alg: AlgEd25519, Ed25519PublicKeysB64: []string{fstr(keys, "ed25519_pub_b64"), fstr(keys, "ed25519_pub_2_b64")}})),
	}
	n := 0
	for _, c := range farr(v, "verdicts") {
		name := fstr(c, "name")
		sig, _ := field(c, "signatures").(bool)
		in := DecideConfigInput{Signatures: &sig}
		if r, ok := field(c, "v01_ring").(string); ok {
			in.V01 = v01Rings[r]
		}
		if r, ok := field(c, "ring").(string); ok {
			if rings[r] == nil {
				t.Fatalf("%s: unknown ring %s", name, r)
			}
			in.Tenants = rings[r]
		}
		if a := farr(c, "accept_versions"); a != nil {
			in.AcceptVersions = toStrings(a)
		}
		if x, ok := field(c, "max_age_seconds").(float64); ok {
			s := int64(x)
			in.MaxAgeSeconds = &s
		}
		if x, ok := field(c, "max_skew_seconds").(float64); ok {
			s := int64(x)
			in.MaxSkewSeconds = &s
		}
		params := paramsFrom(t, fobj(c, "params"))
		in.Params = &params
		cfg, err := CreateDecideConfig(in)
		if err != nil {
			t.Errorf("%s: config: %v", name, err)
			continue
		}
		meta := metaFrom(fobj(c, "meta"))
		if s, ok := field(c, "now").(string); ok {
			now, ok := ParseRFC3339(s)
			if !ok {
				t.Fatalf("%s: bad now %s", name, s)
			}
			meta.Now = &now
		}
		var prior *Verdict
		if p := fobj(c, "prior"); p != nil {
			prior = must(VerdictFromValue(p))
		}
		text, isText := field(c, "input_json").(string)
		if !isText {
			text = Stringify(field(c, "input"))
		}
		got, err := Decide([]byte(text), cfg, prior, meta)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		sameVerdict(t, name, got, fobj(c, "expected"))
		n++
	}
	for _, c := range farr(v, "bad_rings") {
		name := fstr(c, "name")
		src := mapSources{}
		if env := fobj(c, "env"); env != nil {
			for _, k := range env.Keys() {
				src[k] = fstr(env, k)
			}
		}
		_, err := ParseKeyRing(fstr(c, "ring_json"), src)
		if err == nil {
			t.Errorf("bad ring %s: accepted", name)
			continue
		}
		if e, ok := err.(*FlkPcsError); !ok || e.Code != CodeInvalidKeyRing {
			t.Errorf("bad ring %s: error %v", name, err)
		}
		if !containsWordsInOrder(err.Error(), fstr(c, "problem")) {
			t.Errorf("bad ring %s: %q does not contain %q", name, err.Error(), fstr(c, "problem"))
		}
	}
	t.Logf("v02: %d canonical, %d verdicts, %d bad rings", len(farr(v, "canonical")), n, len(farr(v, "bad_rings")))
}

// containsWordsInOrder: the message contains every word of problem, in order ("keys[2] secret"
// matches "keys[2] (key_id acme-x): the secret (secret) is empty"); a plain substring matches too.
func containsWordsInOrder(msg, problem string) bool {
	if strings.Contains(msg, problem) {
		return true
	}
	rest := msg
	for _, w := range strings.Fields(problem) {
		i := strings.Index(rest, w)
		if i < 0 {
			return false
		}
		rest = rest[i+len(w):]
	}
	return true
}
