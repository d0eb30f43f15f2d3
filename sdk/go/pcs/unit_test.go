package pcs

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestFormatNumberIsECMAScript(t *testing.T) {
	cases := map[float64]string{
		2: "2", 5e-7: "5e-7", 1e21: "1e+21", 1e20: "100000000000000000000", 0.000001: "0.000001", 1e-7: "1e-7",
		math.Copysign(0, -1): "0", 1 << 60: "1152921504606847000", 0.30000000000000004: "0.30000000000000004", -1.5: "-1.5",
		1.7976931348623157e308: "1.7976931348623157e+308", 5e-324: "5e-324", 123456789012345680000: "123456789012345680000",
		0.000976562: "0.000976562", 1.23e-5: "0.0000123", 9007199254740991: "9007199254740991", -1e-7: "-1e-7", 1.5e300: "1.5e+300",
	}
	for x, want := range cases {
		if got := FormatNumber(x); got != want {
			t.Errorf("FormatNumber(%v) = %s, want %s", x, got, want)
		}
	}
	if FormatNumber(math.NaN()) != "null" || FormatNumber(math.Inf(1)) != "null" {
		t.Error("non-finite")
	}
}

func TestQuoteStringIsJSONStringify(t *testing.T) {
	in := "a\"b\\c/\b\f\n\r\t\x01\x1f\x7f\u2028é😀"
	want := `"a\"b\\c/\b\f\n\r\t\u0001\u001f` + "\x7f\u2028é😀" + `"`
	if got := QuoteString(in); got != want {
		t.Errorf("got %s want %s", got, want)
	}
	r := ReadJSON(`"\ud800x\udc00"`, 4)
	if got := QuoteString(r.Value.(string)); got != `"\ud800x\udc00"` {
		t.Errorf("lone surrogates: %s", got)
	}
}

func TestReadJSON(t *testing.T) {
	for text, detail := range map[string]string{
		`{"a":{"b":[1,{"c":1,"c":2}]}}`: "duplicate_key:a.b[1].c",
		`{"a b":1,"a b":2}`:             "duplicate_key:a?b",
		`{"a":1,"a":`:                   "duplicate_key:a",
		`{"a":1.,"a":2}`:                "json",
		strings.Repeat("[", 33) + strings.Repeat("]", 33): "too_deep",
		"\ufeff{}":        "json",
		`{"a":1}x`:        "json",
		`"a` + "\n" + `"`: "json",
		``:                "json",
		`-Infinityx`:      "json",
	} {
		if r := ReadJSON(text, 32); r.OK || r.Detail != detail {
			t.Errorf("%q: ok=%v detail=%q, want %q", text, r.OK, r.Detail, detail)
		}
	}
	r := ReadJSON(strings.Repeat("[", 32)+strings.Repeat("]", 32), 32)
	if !r.OK {
		t.Error("32 levels refused")
	}
	r = ReadJSON(`{"b":1,"2":2,"a":3,"1":4,"4294967295":5,"01":6}`, 32)
	if got := strings.Join(r.Value.(*Object).Keys(), ","); got != "1,2,b,a,4294967295,01" {
		t.Errorf("key order %s", got)
	}
	r = ReadJSON(`[NaN,-Infinity,1e999,-0,"\ud83d\ude00"]`, 32)
	a := r.Value.([]any)
	if !r.OK || !r.NonFiniteToken || !math.IsNaN(a[0].(float64)) || !math.IsInf(a[1].(float64), -1) || !math.IsInf(a[2].(float64), 1) ||
		!math.Signbit(a[3].(float64)) || a[4] != "😀" {
		t.Errorf("%v", r)
	}
}

func TestValidationReasons(t *testing.T) {
	res := ParsePcsJSON(strings.Replace(sampleRecordJSON, `"coh_star":0.73`, `"coh_star":NaN,"extra":{"deep":[Infinity]}`, 1))
	if res.OK || strings.Join(res.Reasons, ",") != "malformed:non_finite:coh_star,malformed:non_finite:extra.deep[0]" {
		t.Errorf("%v", res.Reasons)
	}
	if res.PcsID != "9cdef0f97f5c77e0aa4799e9696909feaa68d51348ee71968cd83f2ef3566b00" {
		t.Errorf("pcs_id %q", res.PcsID)
	}
	ok := ParsePcsJSON(sampleRecordJSON)
	if !ok.OK {
		t.Fatal(ok.Reasons)
	}
	if r := ParsePcsBytes([]byte{'{', 0xff, '}'}); r.Reasons[0] != "malformed:utf8" {
		t.Error(r.Reasons)
	}
}

func TestErrorsCarryCodeAndRetriable(t *testing.T) {
	_, err := CreateHmacSigner("")
	var e *FlkPcsError
	if !errors.As(err, &e) || e.Code != CodeInvalidKey || e.Retriable() {
		t.Fatal(err)
	}
	_, err = BuildPcs(BuildPcsInput{ShardID: "s", Points: [][]float64{{1, 2}, {3}}}, nil, nil)
	if !errors.As(err, &e) || e.Code != CodeInvalidArgument || e.Message != "countBoxes: every point must have 2 coordinates" {
		t.Fatal(err)
	}
	_, err = CreateDecisionParams(DecisionParamsInput{TolD: F(-1)})
	if !errors.As(err, &e) || e.Code != CodeInvalidParams {
		t.Fatal(err)
	}
	_, err = ParseKeyRing(`{"keys":[]}x`, nil)
	if !errors.As(err, &e) || e.Code != CodeInvalidKeyRing || e.Message != "not JSON (json)" {
		t.Fatal(err)
	}
}

func TestDecideV02Stages(t *testing.T) {
	ring, err := ParseKeyRing(`{"keys":[{"key_id":"k1","tenant_id":"acme","alg":"hmac","secret":"s1","not_before":"2025-01-01T00:00:00Z","not_after":"2025-12-31T23:59:59.999999999Z"},{"key_id":"k2","tenant_id":"globex","alg":"hmac","secret_env":"K2"}]}`, mapSources{"K2": "s2"})
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := CreateHmacSigner("s1")
	build := func(sentAt, tenant, key string) *Pcs {
		rec, err := BuildPcs(BuildPcsInput{ShardID: "s", Epoch: 1, Seed: 1, SentAt: sentAt, Points: [][]float64{{0, 0}, {1, 1}, {0.5, 0.2}},
			Version: PcsVersionV02, TenantID: Str(tenant), KeyID: Str(key)}, signer, nil)
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	cfg, _ := CreateDecideConfig(DecideConfigInput{Tenants: ring})
	now, _ := ParseRFC3339("2025-06-01T00:00:00Z")
	meta := DecideMeta{DecidedAt: "2025-06-01T00:00:00.000Z", Now: &now}
	for _, c := range []struct {
		rec    *Pcs
		reason string
	}{
		{build("2025-05-31T23:59:00Z", "acme", "k1"), "ok"},
		{build("2025-05-31T23:59:00Z", "acme", "nope"), ReasonUnknownKey},
		{build("2025-05-31T23:59:00Z", "acme", "k2"), ReasonTenantMismatch},
		{build("2024-12-31T23:59:59.999999999Z", "acme", "k1"), ReasonKeyWindow},
		{build("2025-05-01T00:00:00Z", "acme", "k1"), ReasonStale},
		{build("2025-06-01T00:05:00.000000001Z", "acme", "k1"), ReasonClockSkew},
		{build("2025-06-01T00:05:00Z", "acme", "k1"), "ok"},
	} {
		v, err := Decide(c.rec, cfg, nil, meta)
		if err != nil || v.Reason != c.reason {
			t.Errorf("%s/%s: %s %v, want %s", c.rec.SentAt, *c.rec.KeyID, v.Reason, err, c.reason)
		}
	}
	// A v0.2 record without meta.Now is a programmer error.
	if _, err := Decide(build("2025-05-31T23:59:00Z", "acme", "k1"), cfg, nil, DecideMeta{}); err == nil {
		t.Error("no error without now")
	}
}
