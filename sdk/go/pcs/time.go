package pcs

import (
	"regexp"
	"strconv"
)

// Instants for §7 (v0.2): sent_at, key windows and the freshness `now`, to the nanosecond
// (time.ts uses BigInt nanoseconds; years 0001–9999 do not fit int64 nanoseconds, hence seconds
// plus nanoseconds here).

// Instant is a point in time: Sec seconds since 1970-01-01T00:00:00Z (negative before) plus Nsec
// nanoseconds in [0, 1e9).
type Instant struct {
	Sec  int64
	Nsec int64
}

// Compare returns -1, 0 or 1.
func (a Instant) Compare(b Instant) int {
	switch {
	case a.Sec < b.Sec:
		return -1
	case a.Sec > b.Sec:
		return 1
	case a.Nsec < b.Nsec:
		return -1
	case a.Nsec > b.Nsec:
		return 1
	}
	return 0
}

// AddSeconds is a + s seconds.
func (a Instant) AddSeconds(s int64) Instant { return Instant{a.Sec + s, a.Nsec} }

// InstantFromMs is an instant from milliseconds since the epoch (a Kafka timestamp).
func InstantFromMs(ms int64) Instant {
	sec, rem := ms/1000, ms%1000
	if rem < 0 {
		sec--
		rem += 1000
	}
	return Instant{sec, rem * 1_000_000}
}

// InstantFromUnixNano is an instant from nanoseconds since the epoch (time.Time.UnixNano).
func InstantFromUnixNano(ns int64) Instant {
	sec, rem := ns/1_000_000_000, ns%1_000_000_000
	if rem < 0 {
		sec--
		rem += 1_000_000_000
	}
	return Instant{sec, rem}
}

var (
	sentAtV02 = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$`)
	rfc3339Re = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$`)
)

var daysInMonth = [12]int64{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func isLeap(y int64) bool { return y%4 == 0 && y%100 != 0 || y%400 == 0 }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// daysFromCivil: days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant).
func daysFromCivil(y, m, d int64) int64 {
	yy := y
	if m <= 2 {
		yy--
	}
	era := floorDiv(yy, 400)
	yoe := yy - era*400
	mm := m - 3
	if m <= 2 {
		mm = m + 9
	}
	doy := (153*mm+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func instantOf(parts []string, offsetMinutes int64) (Instant, bool) {
	n := make([]int64, 6)
	for i := 0; i < 6; i++ {
		n[i], _ = strconv.ParseInt(parts[i], 10, 64)
	}
	y, mo, d, h, mi, s := n[0], n[1], n[2], n[3], n[4], n[5]
	if y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 {
		return Instant{}, false
	}
	dim := daysInMonth[mo-1]
	if mo == 2 && isLeap(y) {
		dim = 29
	}
	if d > dim {
		return Instant{}, false
	}
	sec := daysFromCivil(y, mo, d)*86400 + h*3600 + mi*60 + s - offsetMinutes*60
	var ns int64
	if frac := parts[6]; frac != "" {
		for len(frac) < 9 {
			frac += "0"
		}
		ns, _ = strconv.ParseInt(frac, 10, 64)
	}
	return Instant{sec, ns}, true
}

// ParseSentAt is the instant of a v0.2 sent_at (§7.1: YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z, a real date).
func ParseSentAt(s string) (Instant, bool) {
	m := sentAtV02.FindStringSubmatch(s)
	if m == nil {
		return Instant{}, false
	}
	return instantOf(m[1:8], 0)
}

// ParseRFC3339 is the instant of an RFC 3339 date-time (offsets allowed, fraction ≤ 9 digits).
func ParseRFC3339(s string) (Instant, bool) {
	m := rfc3339Re.FindStringSubmatch(s)
	if m == nil {
		return Instant{}, false
	}
	var offset int64
	if m[8] == "" {
		oh, _ := strconv.ParseInt(m[10], 10, 64)
		om, _ := strconv.ParseInt(m[11], 10, 64)
		if oh > 23 || om > 59 {
			return Instant{}, false
		}
		offset = oh*60 + om
		if m[9] == "-" {
			offset = -offset
		}
	}
	return instantOf(m[1:8], offset)
}
