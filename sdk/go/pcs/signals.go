package pcs

import (
	"encoding/binary"
	"math"
	"sort"
	"strconv"
)

// §3 and §4: the signals an agent computes and the verifier recomputes or bounds-checks, a port of
// signals.ts. Every computation uses only IEEE-754 +, −, ×, ÷, sqrt and floor in a stated order
// (plus log2 for D̂, which the contract prescribes); every product is wrapped in float64(...) so
// that no Go compiler fuses a multiply-add (the Go spec allows fusing otherwise).

// ComputeDHat is D̂ (§3): the Theil–Sen slope of (log2 s, log2 N_j[s]), rounded per §2.2.
func ComputeDHat(scales []int64, nj map[string]int64) (float64, error) {
	if len(scales) < 2 {
		return 0, invalidArgument("computeDHat: at least 2 scales are needed")
	}
	xs := make([]float64, 0, len(scales))
	ys := make([]float64, 0, len(scales))
	for _, s := range scales {
		n, has := nj[strconv.FormatInt(s, 10)]
		if s < 2 {
			return 0, invalidArgument("computeDHat: scale %d is not an integer ≥ 2", s)
		}
		if !has || n < 1 {
			return 0, invalidArgument("computeDHat: N_j[%d] must be an integer ≥ 1", s)
		}
		xs = append(xs, log2(float64(s)))
		ys = append(ys, log2(float64(n)))
	}
	slopes := make([]float64, 0, len(xs)*(len(xs)-1)/2)
	for i := 0; i < len(xs); i++ {
		for j := i + 1; j < len(xs); j++ {
			dx := xs[j] - xs[i]
			if dx == 0 {
				return 0, invalidArgument("computeDHat: scales must be distinct")
			}
			slopes = append(slopes, (ys[j]-ys[i])/dx)
		}
	}
	sort.Float64s(slopes)
	mid := len(slopes) >> 1
	var median float64
	if len(slopes)%2 == 1 {
		median = slopes[mid]
	} else {
		median = (slopes[mid-1] + slopes[mid]) / 2
	}
	return Round9(median), nil
}

// checkPoints: a list of equal-length, non-empty arrays of finite numbers; returns the dimension
// (0 for no points).
func checkPoints(points [][]float64, fn string) (int, error) {
	if len(points) == 0 {
		return 0, nil
	}
	dim := len(points[0])
	if dim == 0 {
		return 0, invalidArgument("%s: points must be non-empty arrays of numbers", fn)
	}
	for _, p := range points {
		if len(p) != dim {
			return 0, invalidArgument("%s: every point must have %d coordinates", fn, dim)
		}
		for _, c := range p {
			if math.IsNaN(c) || math.IsInf(c, 0) {
				return 0, invalidArgument("%s: coordinates must be finite numbers", fn)
			}
		}
	}
	return dim, nil
}

func bounds(points [][]float64, dim int, fn string) ([]float64, []float64, error) {
	lo := make([]float64, dim)
	hi := make([]float64, dim)
	for k := range lo {
		lo[k], hi[k] = math.Inf(1), math.Inf(-1)
	}
	for _, p := range points {
		for k := 0; k < dim; k++ {
			if p[k] < lo[k] {
				lo[k] = p[k]
			}
			if p[k] > hi[k] {
				hi[k] = p[k]
			}
		}
	}
	span := make([]float64, dim)
	for k := range span {
		span[k] = hi[k] - lo[k]
		if math.IsInf(span[k], 0) || math.IsNaN(span[k]) {
			return nil, nil, invalidArgument("%s: the point cloud's extent overflows a double", fn)
		}
	}
	return lo, span, nil
}

// cell is floor(((c − lo) / span) · bins), the maximum going into the last cell; span 0 → 0.
func cell(c, lo, span float64, bins int) int {
	if span == 0 {
		return 0
	}
	i := math.Floor(float64(((c - lo) / span) * float64(bins)))
	if i >= float64(bins) {
		return bins - 1
	}
	return int(i)
}

// CountBoxes is N_j for each scale s: the number of distinct non-empty cells when the points'
// bounding box is cut into s equal cells per axis. No points: every N_j is 0.
func CountBoxes(points [][]float64, scales []int64) (map[string]int64, error) {
	dim, err := checkPoints(points, "countBoxes")
	if err != nil {
		return nil, err
	}
	for _, s := range scales {
		if s < 1 || s > MaxSafeInteger {
			return nil, invalidArgument("countBoxes: scale %d is not a positive integer", s)
		}
	}
	out := map[string]int64{}
	if dim == 0 {
		for _, s := range scales {
			out[strconv.FormatInt(s, 10)] = 0
		}
		return out, nil
	}
	lo, span, err := bounds(points, dim, "countBoxes")
	if err != nil {
		return nil, err
	}
	key := make([]byte, 8*dim)
	for _, s := range scales {
		seen := map[string]struct{}{}
		for _, p := range points {
			for k := 0; k < dim; k++ {
				binary.LittleEndian.PutUint64(key[8*k:], uint64(cell(p[k], lo[k], span[k], int(s))))
			}
			seen[string(key)] = struct{}{}
		}
		out[strconv.FormatInt(s, 10)] = int64(len(seen))
	}
	return out, nil
}

// CoherenceDefaults are FLK's v0.1 choices for coh★: M = 64 directions, B = 16 bins.
var CoherenceDefaults = struct{ Directions, Bins int }{64, 16}

// CoherenceDirections are the M directions of ComputeCoherence: SplitMix64 seeded with the seed;
// each coordinate g = (u1 + … + u12) − 6 summed left to right; n2 = Σ g_k² left to right; a
// vector with n2 = 0 is drawn again; v_k = g_k / sqrt(n2).
func CoherenceDirections(seed int64, dim, count int) ([][]float64, error) {
	if seed > MaxSafeInteger || seed < -MaxSafeInteger {
		return nil, invalidArgument("coherenceDirections: seed must be an integer within ±(2^53 − 1)")
	}
	rng := NewSplitMix64(seed)
	dirs := make([][]float64, 0, count)
	g := make([]float64, dim)
	for len(dirs) < count {
		for k := 0; k < dim; k++ {
			sum := 0.0
			for i := 0; i < 12; i++ {
				sum += rng.NextDouble()
			}
			g[k] = sum - 6
		}
		n2 := 0.0
		for _, x := range g {
			n2 += float64(x * x)
		}
		if n2 == 0 {
			continue
		}
		norm := math.Sqrt(n2)
		v := make([]float64, dim)
		for k, x := range g {
			v[k] = x / norm
		}
		dirs = append(dirs, v)
	}
	return dirs, nil
}

// Coherence is ComputeCoherence's result: CohStar not rounded (a record carries Round9 of it).
type Coherence struct {
	CohStar float64
	VStar   []float64
}

// ComputeCoherence is coh★ (§3) with M directions and B bins (0 = the defaults 64 / 16).
func ComputeCoherence(points [][]float64, seed int64, directions, bins int) (Coherence, error) {
	M, B := directions, bins
	if M == 0 {
		M = CoherenceDefaults.Directions
	}
	if B == 0 {
		B = CoherenceDefaults.Bins
	}
	if M < 1 || M > 65536 {
		return Coherence{}, invalidArgument("computeCoherence: directions must be an integer in [1, 65536]")
	}
	if B < 1 || B > 65536 {
		return Coherence{}, invalidArgument("computeCoherence: bins must be an integer in [1, 65536]")
	}
	dim, err := checkPoints(points, "computeCoherence")
	if err != nil {
		return Coherence{}, err
	}
	if dim == 0 {
		return Coherence{}, invalidArgument("computeCoherence: at least one point is needed")
	}
	dirs, err := CoherenceDirections(seed, dim, M)
	if err != nil {
		return Coherence{}, err
	}
	n := len(points)
	proj := make([]float64, n)
	counts := make([]int, B)
	bestCount := -1
	best := dirs[0]
	for _, v := range dirs {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i, p := range points {
			acc := 0.0
			for k := 0; k < dim; k++ {
				acc += float64(p[k] * v[k])
			}
			proj[i] = acc
			if acc < lo {
				lo = acc
			}
			if acc > hi {
				hi = acc
			}
		}
		span := hi - lo
		if math.IsInf(span, 0) || math.IsNaN(span) {
			return Coherence{}, invalidArgument("computeCoherence: the point cloud's extent overflows a double")
		}
		var top int
		if span == 0 {
			top = n
		} else {
			for b := range counts {
				counts[b] = 0
			}
			for i := 0; i < n; i++ {
				b := cell(proj[i], lo, span, B)
				counts[b]++
				if counts[b] > top {
					top = counts[b]
				}
			}
		}
		if top > bestCount {
			bestCount = top
			best = v
		}
	}
	return Coherence{CohStar: float64(bestCount) / float64(n), VStar: append([]float64(nil), best...)}, nil
}

// Compressibility is r (§3): len(zlib.compress(raw, 6)) / len(raw), not rounded; empty input → 1.
func Compressibility(raw []byte) float64 {
	if len(raw) == 0 {
		return 1
	}
	return float64(len(zlibCompress(raw))) / float64(len(raw))
}

// RegimeOf is §4: sticky if coh★ ≥ 0.70 and D̂ ≤ 1.5; else non_sticky if D̂ ≥ 2.6; else mixed.
func RegimeOf(dHat, cohStar float64) string {
	if cohStar >= 0.7 && dHat <= 1.5 {
		return "sticky"
	}
	if dHat >= 2.6 {
		return "non_sticky"
	}
	return "mixed"
}

// ComputeBudget is §4: clamp[0,1](((base + α·(1 − r)) + β·max(0, D̂ − D0)) + γ·coh★), rounded per §2.2.
func ComputeBudget(r, dHat, cohStar float64, w BudgetWeights) (float64, error) {
	for _, x := range []float64{r, dHat, cohStar} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, invalidArgument("computeBudget: inputs must be finite numbers")
		}
	}
	raw := w.Base + float64(w.Alpha*(1-r)) + float64(w.Beta*jsMax0(dHat-w.D0)) + float64(w.Gamma*cohStar)
	switch {
	case raw < 0:
		raw = 0
	case raw > 1:
		raw = 1
	}
	return Round9(raw), nil
}

// jsMax0 is Math.max(0, x) (for a finite x; Math.max(0, -0) is 0).
func jsMax0(x float64) float64 {
	if x > 0 {
		return x
	}
	return 0
}
