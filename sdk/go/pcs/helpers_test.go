package pcs

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// vectorsDir is /work/main/test/vectors seen from sdk/go/pcs (FLK_VECTORS_DIR overrides).
func vectorsDir() string {
	if d := os.Getenv("FLK_VECTORS_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "test", "vectors")
}

func sharedDir() string {
	if d := os.Getenv("FLK_SHARED_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "..", "shared")
}

func loadJSONFile(t testing.TB, path string) *Object {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	r := ReadJSON(string(b), 1000)
	if !r.OK {
		t.Fatalf("%s: not JSON (%s)", path, r.Detail)
	}
	return r.Value.(*Object)
}

func loadVector(t testing.TB, name string) *Object {
	return loadJSONFile(t, filepath.Join(vectorsDir(), name))
}

func field(o any, key string) any {
	if ob, ok := o.(*Object); ok {
		v, _ := ob.Get(key)
		return v
	}
	return nil
}

func fstr(o any, key string) string  { s, _ := field(o, key).(string); return s }
func fnum(o any, key string) float64 { f, _ := field(o, key).(float64); return f }
func farr(o any, key string) []any   { a, _ := field(o, key).([]any); return a }
func fobj(o any, key string) *Object { ob, _ := field(o, key).(*Object); return ob }

func bits16(x float64) string {
	s := strconv.FormatUint(math.Float64bits(x), 16)
	for len(s) < 16 {
		s = "0" + s
	}
	return s
}

func fromBits(t testing.TB, s string) float64 {
	t.Helper()
	u, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		t.Fatalf("bad bits %q", s)
	}
	return math.Float64frombits(u)
}

func b64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("bad base64 %q", s)
	}
	return b
}

func hexBytes(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q", s)
	}
	return b
}

func toInt64s(a []any) []int64 {
	out := make([]int64, len(a))
	for i, x := range a {
		out[i] = int64(x.(float64))
	}
	return out
}

func toFloats(a []any) []float64 {
	out := make([]float64, len(a))
	for i, x := range a {
		out[i] = x.(float64)
	}
	return out
}

func toPoints(a []any) [][]float64 {
	out := make([][]float64, len(a))
	for i, p := range a {
		out[i] = toFloats(p.([]any))
	}
	return out
}

func toNj(o *Object) map[string]int64 {
	out := map[string]int64{}
	for _, k := range o.Keys() {
		v, _ := o.Get(k)
		out[k] = int64(v.(float64))
	}
	return out
}

func toStrings(a []any) []string {
	out := make([]string, len(a))
	for i, x := range a {
		out[i] = x.(string)
	}
	return out
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
