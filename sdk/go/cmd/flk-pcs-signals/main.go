// Command flk-pcs-signals reads JSON [{points, seed, data_b64, scales}] on stdin and prints, per
// input, one JSON line with this SDK's coh★ and v★ (as IEEE-754 bits in hex), r (bits), N_j and D̂
// (bits). It is the Go leg of the three-language property test (sdk/python/tests/test_property.py),
// whose other legs are the Python SDK and the TS core (sdk/python/tools/signals.ts): the same
// inputs, the same output shape, compared bit for bit.
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"os"

	"github.com/flk/pcs-go/pcs"
)

type input struct {
	Points  [][]float64 `json:"points"`
	Seed    int64       `json:"seed"`
	DataB64 string      `json:"data_b64"`
	Scales  []int64     `json:"scales"`
}

type output struct {
	Coh  string           `json:"coh"`
	V    []string         `json:"v"`
	R    string           `json:"r"`
	Nj   map[string]int64 `json:"N_j"`
	DHat string           `json:"D_hat"`
}

func bits(x float64) string { return fmt.Sprintf("%016x", math.Float64bits(x)) }

func fail(i int, what string, err error) {
	fmt.Fprintf(os.Stderr, "flk-pcs-signals: input %d: %s: %v\n", i, what, err)
	os.Exit(1)
}

func main() {
	var inputs []input
	if err := json.NewDecoder(bufio.NewReader(os.Stdin)).Decode(&inputs); err != nil {
		fmt.Fprintf(os.Stderr, "flk-pcs-signals: stdin is not a JSON array of inputs: %v\n", err)
		os.Exit(2)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	for i, in := range inputs {
		coh, err := pcs.ComputeCoherence(in.Points, in.Seed, 0, 0)
		if err != nil {
			fail(i, "coherence", err)
		}
		nj, err := pcs.CountBoxes(in.Points, in.Scales)
		if err != nil {
			fail(i, "count boxes", err)
		}
		dHat, err := pcs.ComputeDHat(in.Scales, nj)
		if err != nil {
			fail(i, "D_hat", err)
		}
		data, err := base64.StdEncoding.DecodeString(in.DataB64)
		if err != nil {
			fail(i, "data_b64", err)
		}
		v := make([]string, len(coh.VStar))
		for k, x := range coh.VStar {
			v[k] = bits(x)
		}
		if err := enc.Encode(output{Coh: bits(coh.CohStar), V: v, R: bits(pcs.Compressibility(data)), Nj: nj, DHat: bits(dHat)}); err != nil {
			fail(i, "write", err)
		}
	}
}
