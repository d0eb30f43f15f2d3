package producer

// W3C trace context (https://www.w3.org/TR/trace-context/) on published records: the
// `traceparent` header, which the verifier copies onto the verdict and DLQ records and the sink
// onto the audit line. The same rules as the TypeScript agent's (@flk/agent, @flk/kafka).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"
)

// TraceparentHeader is the record header carrying the W3C trace context.
const TraceparentHeader = "traceparent"

var traceparentPattern = regexp.MustCompile(`^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$`)

// IsTraceparent reports whether v is a well-formed traceparent: version-traceid-parentid-flags,
// lowercase hex, version not ff, ids not all zeros.
func IsTraceparent(v string) bool {
	m := traceparentPattern.FindStringSubmatch(v)
	return m != nil && m[1] != "ff" && strings.Trim(m[2], "0") != "" && strings.Trim(m[3], "0") != ""
}

// NewTraceparent returns a fresh traceparent: random trace and parent ids, sampled.
func NewTraceparent() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error()) // never on supported platforms
	}
	return "00-" + hex.EncodeToString(b[:16]) + "-" + hex.EncodeToString(b[16:]) + "-01"
}

type traceKey struct{}

// WithTraceparent returns a context whose records are published with this traceparent (e.g. one
// taken from an OpenTelemetry span with propagation.TraceContext{}.Inject). Without one, or with a
// value that is not well formed, each record gets a fresh traceparent.
func WithTraceparent(ctx context.Context, traceparent string) context.Context {
	return context.WithValue(ctx, traceKey{}, traceparent)
}

func traceparentOf(ctx context.Context) string {
	if v, ok := ctx.Value(traceKey{}).(string); ok && IsTraceparent(v) {
		return v
	}
	return NewTraceparent()
}
