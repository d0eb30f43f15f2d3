package main

import (
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

var (
	decimalRe = regexp.MustCompile(`^[+-]?(?:Infinity|[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)$`)
	radixRe   = regexp.MustCompile(`^0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)$`)
)

// jsNumber is ECMAScript's Number(string) (StringToNumber): trimmed; "" is 0; decimal literals
// (with Infinity), 0x / 0o / 0b integers; NaN for anything else.
func jsNumber(s string) float64 {
	t := jsTrim(s)
	if t == "" {
		return 0
	}
	if radixRe.MatchString(t) {
		base := map[byte]int{'x': 16, 'X': 16, 'o': 8, 'O': 8, 'b': 2, 'B': 2}[t[1]]
		n, ok := new(big.Int).SetString(t[2:], base)
		if !ok {
			return math.NaN()
		}
		f, _ := new(big.Float).SetInt(n).Float64()
		return f
	}
	if !decimalRe.MatchString(t) {
		return math.NaN()
	}
	switch strings.TrimLeft(t, "+-") {
	case "Infinity":
		if t[0] == '-' {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return math.NaN()
		}
	}
	return f
}
