package pcs

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"
)

// Fuzz targets. Their seed corpus runs in every plain `go test`; `go test -fuzz FuzzReadJSON` (or
// FuzzRound9) explores further.

func FuzzReadJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":1,"a":2}`, `{"a":NaN,"b":-Infinity,"c":Infinity}`, `1e999`, `-0`, `"\ud800"`, `"\ud83d\ude00"`,
		`{"x":[1,2,{"y":"z"}]}`, `[1.,2]`, `01`, `{"a":1,}`, "\ufeff{}", `"\u0000"`, `{"__proto__":1}`,
		strings.Repeat("[", 40) + strings.Repeat("]", 40), `{"pcs_id":"x","version":"0.2","ft":{"a":1}}`,
	} {
		f.Add(s)
	}
	f.Add(sampleRecordJSON)
	f.Fuzz(func(t *testing.T, text string) {
		res := ReadJSON(text, 32)
		if res.OK {
			// What we accept without NaN/Infinity tokens is RFC 8259 JSON.
			if !res.NonFiniteToken && !json.Valid([]byte(text)) {
				t.Fatalf("accepted invalid JSON %q", text)
			}
			// Printing and reading again is stable.
			if !res.NonFiniteToken && IsWellFormed(text) {
				out := Stringify(res.Value)
				again := ReadJSON(out, 33)
				if !again.OK || Stringify(again.Value) != out {
					t.Fatalf("round trip of %q: %q", text, out)
				}
			}
		} else if json.Valid([]byte(text)) && res.Detail == "json" && !strings.ContainsAny(text, "\ufeff") {
			// encoding/json accepts invalid UTF-8 inside strings; we read UTF-8 text only.
			if IsWellFormed(text) {
				t.Fatalf("refused valid JSON %q", text)
			}
		}
		// Validation and decisions never panic, whatever the text.
		_ = ParsePcsJSON(text)
		cfg, _ := CreateDecideConfig(DecideConfigInput{})
		now := Instant{}
		if _, err := Decide([]byte(text), cfg, nil, DecideMeta{DecidedAt: "x", Now: &now}); err != nil {
			t.Fatal(err)
		}
	})
}

const sampleRecordJSON = `{"pcs_id":"9cdef0f97f5c77e0aa4799e9696909feaa68d51348ee71968cd83f2ef3566b00","schema":"fractal-lba-kakeya","version":"0.1","shard_id":"shard-001","epoch":1,"attempt":1,"sent_at":"2025-01-01T00:00:00Z","seed":42,"scales":[2,4,8,16,32],"N_j":{"2":3,"4":5,"8":9,"16":17,"32":31},"coh_star":0.73,"v_star":[0.12,0.98,-0.05],"D_hat":0.857365188,"r":0.87,"regime":"sticky","budget":0.285,"merkle_root":"6c111be80d9a1bf078fb6b327db93bcde340babd7b716fdd7f3e0d042b8fed9f","ft":{"outbox_seq":123,"degraded":false,"fallbacks":[],"clock_skew_ms":0}}`

// round9Reference is §2.2 from first principles with math/big: the exact value of x times 10^9,
// rounded half to even to an integer q, then q·10^-9 correctly rounded.
func round9Reference(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	r := new(big.Rat).SetFloat64(x)
	r.Mul(r, big.NewRat(1_000_000_000, 1))
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	// q truncates toward zero; compare 2|m| with den.
	twice := new(big.Int).Abs(m)
	twice.Lsh(twice, 1)
	if c := twice.Cmp(den); c > 0 || (c == 0 && q.Bit(0) == 1) {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if q.Sign() == 0 {
		return 0
	}
	f, _ := strconv.ParseFloat(q.String()+"e-9", 64)
	return f
}

func FuzzRound9(f *testing.F) {
	for _, x := range []float64{0, -0.0, 0.0009765625, 5e-7, 2.0, 0.0000000015, 1.0000000005, -2.5e-9, 1e300, 5e-324,
		math.MaxFloat64, 1 << 52, 0.1, 0.123456789500000001, -0.0000000005, 9007199254740991.5, 4503599627370495.5} {
		f.Add(math.Float64bits(x))
	}
	f.Fuzz(func(t *testing.T, bits uint64) {
		x := math.Float64frombits(bits)
		got, exact, want := Round9(x), Round9Exact(x), round9Reference(x)
		if math.IsNaN(x) {
			if !math.IsNaN(got) {
				t.Fatalf("NaN → %v", got)
			}
			return
		}
		if math.Float64bits(got) != math.Float64bits(want) || math.Float64bits(exact) != math.Float64bits(want) {
			t.Fatalf("round9(%v [%016x]) = %v / exact %v, want %v", x, bits, got, exact, want)
		}
		// Printing the result in ECMAScript form and reading it back is exact.
		if !math.IsInf(got, 0) {
			back, err := strconv.ParseFloat(FormatNumber(got), 64)
			if err != nil || back != got {
				t.Fatalf("FormatNumber(%v) = %s", got, FormatNumber(got))
			}
		}
	})
}
