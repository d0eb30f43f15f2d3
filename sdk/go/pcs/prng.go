package pcs

// SplitMix64 (Steele, Lea, Flood 2014): the contract PRNG of the coh★ directions (prng.ts).
type SplitMix64 struct{ state uint64 }

// NewSplitMix64 seeds the generator with the seed's 64-bit two's complement.
func NewSplitMix64(seed int64) *SplitMix64 { return &SplitMix64{uint64(seed)} }

// NextUint64 is the next 64-bit output.
func (s *SplitMix64) NextUint64() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// NextDouble is the top 53 bits of the next output divided by 2^53: exactly k/2^53 in [0, 1).
func (s *SplitMix64) NextDouble() float64 { return float64(s.NextUint64()>>11) / (1 << 53) }
