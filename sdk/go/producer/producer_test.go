package producer

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/flk/pcs-go/pcs"
)

// These tests use the real local stack (cd /work/main && bash infra/local/stack.sh up): broker
// 127.0.0.1:9092, registry http://127.0.0.1:8081, topic pcs.submitted. FLK_SKIP_KAFKA=1 skips them.

func stackConfig(t *testing.T) Config {
	t.Helper()
	if os.Getenv("FLK_SKIP_KAFKA") == "1" {
		t.Skip("FLK_SKIP_KAFKA=1")
	}
	cfg, err := ConfigFromEnv(func(n string) (string, bool) { return os.LookupEnv(n) })
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range cfg.Brokers[:1] {
		c, err := net.DialTimeout("tcp", b, 2*time.Second)
		if err != nil {
			t.Fatalf("Kafka is not reachable at %s (start the local stack: bash infra/local/stack.sh up): %v", b, err)
		}
		c.Close()
	}
	return cfg
}

func TestEmbeddedSchemaIsTheRepositorySchema(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "schemas", "pcs-v1.avsc"))
	if err != nil {
		t.Fatalf("schemas/pcs-v1.avsc not found: %v", err)
	}
	if string(b) != PcsSchemaV1 {
		t.Fatal("producer/pcs-v1.avsc differs from schemas/pcs-v1.avsc: copy it again")
	}
}

func buildRecord(t *testing.T, version string, signer pcs.Signer, epoch int64) *pcs.Pcs {
	t.Helper()
	in := pcs.BuildPcsInput{ShardID: "sdk-go-test", Epoch: epoch, Seed: 42, SentAt: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		Points: [][]float64{{0.1, 0.2}, {0.3, 0.4}, {0.5, 0.55}, {0.9, 0.1}}, Chunks: [][]byte{[]byte("hello hello hello hello"), []byte("world")},
		Version: version, OutboxSeq: 7}
	if version == pcs.PcsVersionV02 {
		in.TenantID, in.KeyID = pcs.Str("acme"), pcs.Str("acme-go-1")
	}
	rec, err := pcs.BuildPcs(in, signer, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestPublishAndReadBack(t *testing.T) {
	cfg := stackConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)

	// The subject and schema id are the verifier's: our id is one of pcs.submitted-value's versions.
	reg, _ := sr.NewClient(sr.URLs(cfg.RegistryURL))
	versions, err := reg.Schemas(ctx, p.Subject())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range versions {
		if v.ID == p.SchemaID() {
			found = true
		}
	}
	if p.Subject() != "pcs.submitted-value" || !found {
		t.Fatalf("schema id %d is not a version of %s", p.SchemaID(), p.Subject())
	}

	hmacSigner, _ := pcs.CreateHmacSigner("sdk-go-test-key")
	edSigner, _ := pcs.CreateEd25519Signer("nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=")
	epoch := time.Now().UnixNano() % 1_000_000_000
	recs := []*pcs.Pcs{
		buildRecord(t, pcs.PcsVersion, hmacSigner, epoch),
		buildRecord(t, pcs.PcsVersionV02, edSigner, epoch+1),
	}
	deliveries := p.PublishBatch(ctx, recs)
	consumer, err := kgo.NewClient(kgo.SeedBrokers(cfg.Brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	for i, d := range deliveries {
		if d.Err != nil {
			t.Fatalf("record %d not delivered: %v", i, d.Err)
		}
		if d.PcsID != recs[i].PcsID || d.Topic != "pcs.submitted" || d.Offset < 0 {
			t.Fatalf("delivery %+v", d)
		}
		got := readAt(t, ctx, consumer, d)
		if string(got.Key) != recs[i].PcsID {
			t.Errorf("key %q", got.Key)
		}
		if tp := headerOf(got, TraceparentHeader); !IsTraceparent(tp) {
			t.Errorf("record %d: traceparent header %q, want a fresh well-formed one", i, tp)
		}
		if got.Value[0] != 0 || int(binary.BigEndian.Uint32(got.Value[1:5])) != p.SchemaID() {
			t.Fatalf("wire header % x", got.Value[:5])
		}
		// Decode with the registry's schema for that id, as the verifier does.
		text, err := reg.SchemaTextByID(ctx, p.SchemaID())
		if err != nil {
			t.Fatal(err)
		}
		var back avroPcs
		if err := avro.Unmarshal(avro.MustParse(text), got.Value[5:], &back); err != nil {
			t.Fatal(err)
		}
		rec := fromAvro(&back)
		a, _ := rec.MarshalJSON()
		b, _ := recs[i].MarshalJSON()
		if string(a) != string(b) {
			t.Errorf("read back\n%s\nwant\n%s", a, b)
		}
		// And the verifier's decision on what was read back: accepted, signature checked.
		var cfgIn pcs.DecideConfigInput
		if i == 0 {
			cfgIn.V01, _ = pcs.CreateKeyRing(pcs.KeyRingOptions{Alg: pcs.AlgHmac, HmacKeys: []string{"sdk-go-test-key"}})
		} else {
			cfgIn.Tenants, err = pcs.ParseKeyRing(`{"keys":[{"key_id":"acme-go-1","tenant_id":"acme","alg":"ed25519","public_key_b64":"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}]}`, nil)
			if err != nil {
				t.Fatal(err)
			}
		}
		dc, _ := pcs.CreateDecideConfig(cfgIn)
		now := pcs.InstantFromMs(got.Timestamp.UnixMilli())
		v, err := pcs.Decide(rec, dc, nil, pcs.DecideMeta{DecidedAt: "2025-01-01T00:00:00.000Z", Now: &now})
		if err != nil || v.Status != pcs.StatusAccepted || !v.SignatureChecked {
			t.Errorf("verdict of record %d: %s %v", i, v.JSON(), err)
		}
	}
}

func TestTraceparentFromTheContext(t *testing.T) {
	cfg := stackConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	signer, _ := pcs.CreateHmacSigner("sdk-go-test-key")
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	epoch := time.Now().UnixNano()%1_000_000_000 + 7
	traced := p.Publish(WithTraceparent(ctx, tp), buildRecord(t, pcs.PcsVersion, signer, epoch))
	bad := p.Publish(WithTraceparent(ctx, "00-zz"), buildRecord(t, pcs.PcsVersion, signer, epoch+1))
	if traced.Err != nil || bad.Err != nil {
		t.Fatal(traced.Err, bad.Err)
	}
	consumer, err := kgo.NewClient(kgo.SeedBrokers(cfg.Brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	if got := headerOf(readAt(t, ctx, consumer, traced), TraceparentHeader); got != tp {
		t.Errorf("traceparent %q, want the context's %q", got, tp)
	}
	if got := headerOf(readAt(t, ctx, consumer, bad), TraceparentHeader); !IsTraceparent(got) || got == tp {
		t.Errorf("a malformed context value must give a fresh traceparent, got %q", got)
	}
	for _, v := range []string{"00-00000000000000000000000000000000-00f067aa0ba902b7-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", strings.ToUpper(tp), tp + "-x"} {
		if IsTraceparent(v) {
			t.Errorf("IsTraceparent(%q) = true", v)
		}
	}
}

func headerOf(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func readAt(t *testing.T, ctx context.Context, cl *kgo.Client, d Delivery) *kgo.Record {
	t.Helper()
	cl.AddConsumePartitions(map[string]map[int32]kgo.Offset{d.Topic: {d.Partition: kgo.NewOffset().At(d.Offset)}})
	defer cl.RemoveConsumePartitions(map[string][]int32{d.Topic: {d.Partition}})
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("record at %s/%d@%d not read back: %v", d.Topic, d.Partition, d.Offset, ctx.Err())
		}
		for _, r := range fetches.Records() {
			if r.Partition == d.Partition && r.Offset == d.Offset {
				return r
			}
		}
	}
}

func fromAvro(a *avroPcs) *pcs.Pcs {
	return &pcs.Pcs{PcsID: a.PcsID, Schema: a.Schema, Version: a.Version, ShardID: a.ShardID, Epoch: a.Epoch, Attempt: a.Attempt,
		SentAt: a.SentAt, Seed: a.Seed, Scales: a.Scales, NJ: a.NJ, CohStar: a.CohStar, VStar: a.VStar, DHat: a.DHat, R: a.R,
		Regime: a.Regime, Budget: a.Budget, MerkleRoot: a.MerkleRoot, Sig: a.Sig,
		Ft:       pcs.PcsFt{OutboxSeq: a.Ft.OutboxSeq, Degraded: a.Ft.Degraded, Fallbacks: a.Ft.Fallbacks, ClockSkewMs: a.Ft.ClockSkewMs},
		TenantID: a.TenantID, KeyID: a.KeyID}
}

func TestInvalidRecordIsATypedErrorNamingTheField(t *testing.T) {
	cfg := stackConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	rec := buildRecord(t, pcs.PcsVersion, nil, 1)
	rec.CohStar = math.NaN()
	rec.Scales = rec.Scales[:1]
	d := p.Publish(ctx, rec)
	var e *Error
	if !errors.As(d.Err, &e) || e.Code != CodeInvalidRecord || e.Retriable {
		t.Fatalf("error %v", d.Err)
	}
	for _, want := range []string{"malformed:too_short:scales", "malformed:non_finite:coh_star"} {
		if !contains(e.Message, want) {
			t.Errorf("%q does not name %s", e.Message, want)
		}
	}
}

func contains(s, sub string) bool {
	return len(s) >= len(sub) && (s == sub || len(sub) == 0 || indexOf(s, sub) >= 0)
}
func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestDownBrokerIsReportedFailedAndRetriable(t *testing.T) {
	cfg := stackConfig(t)
	// A port on the loopback where nothing listens.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg.Brokers = []string{addr}
	cfg.DeliveryTimeout = 3 * time.Second
	cfg.RetryInitial, cfg.RetryMax = 50*time.Millisecond, 200*time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	start := time.Now()
	d := p.Publish(ctx, buildRecord(t, pcs.PcsVersion, nil, 2))
	if d.Err == nil || !IsRetriable(d.Err) {
		t.Fatalf("delivery %+v", d)
	}
	var e *Error
	if !errors.As(d.Err, &e) || e.Code != CodePublishUnavailable {
		t.Fatalf("error %v", d.Err)
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

func TestRegistryDownIsRetriable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = New(ctx, Config{RegistryURL: "http://" + addr})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeRegistryUnavailable || !e.Retriable {
		t.Fatalf("error %v", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{"KAFKA_BROKERS": "a:1, b:2", "PCS_SUBMITTED_TOPIC": "t", "KAFKA_SASL_MECHANISM": "scram-sha-256", "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "secret-pw"}
	cfg, err := ConfigFromEnv(func(n string) (string, bool) { v, ok := env[n]; return v, ok })
	if err != nil || len(cfg.Brokers) != 2 || cfg.Topic != "t" || cfg.Subject != "t-value" || cfg.SASLMechanism != "scram-sha-256" {
		t.Fatalf("%+v %v", cfg, err)
	}
	env = map[string]string{"KAFKA_BROKERS": "nohost", "KAFKA_SSL": "maybe", "KAFKA_SASL_MECHANISM": "plain", "KAFKA_SASL_PASSWORD": "secret-pw"}
	_, err = ConfigFromEnv(func(n string) (string, bool) { v, ok := env[n]; return v, ok })
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeConfig || e.Retriable || indexOf(e.Message, "secret-pw") >= 0 ||
		indexOf(e.Message, "KAFKA_BROKERS") < 0 || indexOf(e.Message, "KAFKA_SSL") < 0 || indexOf(e.Message, "KAFKA_SASL_USERNAME") < 0 {
		t.Fatalf("%v", err)
	}
	s, err := SigningFromEnv(func(n string) (string, bool) {
		v, ok := map[string]string{"PCS_SIGN_ALG": "hmac", "PCS_HMAC_KEY": " k1 , k2", "PCS_TENANT_ID": "acme"}[n]
		return v, ok
	})
	if err != nil || s.Signer == nil || s.Signer.Alg() != "hmac" || *s.TenantID != "acme" || s.KeyID != nil {
		t.Fatalf("%+v %v", s, err)
	}
	if _, err := SigningFromEnv(func(n string) (string, bool) {
		return map[string]string{"PCS_SIGN_ALG": "ed25519"}[n], n == "PCS_SIGN_ALG"
	}); err == nil {
		t.Fatal("missing key accepted")
	}
}

func TestOutboxSeq(t *testing.T) {
	var o OutboxSeq
	if o.Next("a") != 1 || o.Next("a") != 2 || o.Next("b") != 1 {
		t.Fatal("sequence")
	}
}
