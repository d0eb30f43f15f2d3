package pcs

import (
	"math"
	"strconv"
)

// Round9 is §2.2: x rounded to 9 fractional digits on its *exact* binary value, ties to even,
// -0 → 0 (Python's round(x, 9)); integers (every |x| ≥ 2^52 included) are returned unchanged and
// NaN / ±Inf pass through. A port of round.ts: a fast path decides from x·1e9 unless the fraction
// lies within the product's error of one half; then the exact path decides.
func Round9(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	if x == math.Trunc(x) {
		return x + 0 // -0 → 0
	}
	y := x * 1e9
	if math.Abs(y) < 1<<52 {
		floor := math.Floor(y)
		frac := y - floor
		if math.Abs(frac-0.5) > (math.Abs(y)+1)*0x1p-51 {
			n := floor
			if frac >= 0.5 {
				n = floor + 1
			}
			if n == 0 {
				return 0
			}
			return n / 1e9
		}
	}
	return Round9Exact(x)
}

// Round9Exact is the exact path alone: strconv's fixed-precision formatting works on the exact
// decimal expansion of the double and rounds a tie to even; the decimal it prints is parsed back
// correctly rounded.
func Round9Exact(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	if x == math.Trunc(x) {
		return x + 0
	}
	s := strconv.FormatFloat(x, 'f', 9, 64)
	q, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return x // unreachable: s is a plain decimal of a finite double
	}
	if q == 0 {
		return 0
	}
	return q
}
