// Command flk-pcs-bench measures the Go SDK and prints one JSON line on stdout, with the same keys
// as sdk/python/tools/bench.py, so that `npm run bench:sdk` (bench/sdk.ts) can put the three SDKs
// side by side:
//
//	hmac_v02_sign_ops_s   canonical v0.2 payload + SHA-256 + HMAC sign of a built record
//	ed25519_sign_ops_s    v0.2 payload + Ed25519 sign (crypto/ed25519)
//	verify_v02_ops_s      Decide of a signed v0.2 record (structure, signature, freshness, signals)
//	producer_records_s    (with -kafka) records/s published and acknowledged on the broker
//
// The record is the one the Python bench builds (200 3-D points, one 4 KiB chunk), so the figures
// compare like with like. Broker and registry come from the producer's environment (KAFKA_BROKERS,
// SCHEMA_REGISTRY_URL, PCS_SUBMITTED_TOPIC, …).
//
//	flk-pcs-bench [-seconds 2] [-kafka] [-records 5000]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/flk/pcs-go/pcs"
	"github.com/flk/pcs-go/producer"
)

// RFC 8032 TEST 1's seed: a public test key, nothing secret.
const edSeed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "flk-pcs-bench: "+format+"\n", args...)
	os.Exit(1)
}

// rate runs fn in rounds of 50 until `seconds` have passed and returns calls per second.
func rate(seconds float64, fn func() error) float64 {
	n, t0 := 0, time.Now()
	for {
		for i := 0; i < 50; i++ {
			if err := fn(); err != nil {
				fail("%v", err)
			}
		}
		n += 50
		if dt := time.Since(t0).Seconds(); dt >= seconds {
			return float64(n) / dt
		}
	}
}

func main() {
	seconds := flag.Float64("seconds", 2, "seconds per figure")
	kafka := flag.Bool("kafka", false, "also measure the producer against the broker")
	records := flag.Int("records", 5000, "records published with -kafka")
	flag.Parse()

	points := make([][]float64, 200)
	for i := range points {
		points[i] = []float64{float64(i) / 97, float64(i*7%13) / 13, float64(i%5) / 5}
	}
	tenant, keyID := "acme", "acme-1"
	rec, err := pcs.BuildPcs(pcs.BuildPcsInput{ShardID: "bench-1", Epoch: 1, Seed: 42, SentAt: "2025-01-01T00:00:00Z",
		Points: points, Chunks: [][]byte{bytes.Repeat([]byte("x"), 4096)}, Version: pcs.PcsVersionV02,
		TenantID: &tenant, KeyID: &keyID}, nil, nil)
	if err != nil {
		fail("build: %v", err)
	}
	hmac, err := pcs.CreateHmacSigner("bench-key")
	if err != nil {
		fail("%v", err)
	}
	ed, err := pcs.CreateEd25519Signer(edSeed)
	if err != nil {
		fail("%v", err)
	}
	out := map[string]float64{}
	out["hmac_v02_sign_ops_s"] = rate(*seconds, func() error { _, err := pcs.SignPcs(rec, hmac); return err })
	out["ed25519_sign_ops_s"] = rate(*seconds, func() error { _, err := pcs.SignPcs(rec, ed); return err })

	signed, err := pcs.SignPcs(rec, hmac)
	if err != nil {
		fail("%v", err)
	}
	ring, err := pcs.ParseKeyRing(`{"keys":[{"key_id":"acme-1","tenant_id":"acme","alg":"hmac","secret":"bench-key"}]}`, nil)
	if err != nil {
		fail("%v", err)
	}
	cfg, err := pcs.CreateDecideConfig(pcs.DecideConfigInput{Tenants: ring})
	if err != nil {
		fail("%v", err)
	}
	now, _ := pcs.ParseRFC3339("2025-01-01T00:00:01Z")
	meta := pcs.DecideMeta{DecidedAt: "2025-01-01T00:00:01.000Z", Now: &now}
	if v, err := pcs.Decide(signed, cfg, nil, meta); err != nil || !v.SignatureChecked {
		fail("the bench record does not verify: %v", err)
	}
	out["verify_v02_ops_s"] = rate(*seconds, func() error { _, err := pcs.Decide(signed, cfg, nil, meta); return err })

	if *kafka {
		out["producer_records_s"] = produce(rec, hmac, *records)
	}
	for k, v := range out {
		out[k] = math.Round(v*10) / 10
	}
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}

// produce signs `n` distinct records (own epochs and pcs_ids, fresh sent_at) up front, warms the
// producer up with 10 of them (connection, registry lookup) and times the rest to acknowledgement.
func produce(base *pcs.Pcs, signer pcs.Signer, n int) float64 {
	ctx := context.Background()
	cfg, err := producer.ConfigFromEnv(nil)
	if err != nil {
		fail("%v", err)
	}
	recs := make([]*pcs.Pcs, n)
	for i := range recs {
		r := base.Clone()
		r.Epoch = int64(10_000 + i)
		if r.PcsID, err = pcs.ComputePcsID(r.MerkleRoot, r.Epoch, r.ShardID); err != nil {
			fail("%v", err)
		}
		r.SentAt = time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		if recs[i], err = pcs.SignPcs(r, signer); err != nil {
			fail("%v", err)
		}
	}
	p, err := producer.New(ctx, cfg)
	if err != nil {
		fail("%v", err)
	}
	defer p.Close(ctx)
	warm := min(10, n)
	for _, d := range p.PublishBatch(ctx, recs[:warm]) {
		if d.Err != nil {
			fail("publish: %v", d.Err)
		}
	}
	t0 := time.Now()
	ds := p.PublishBatch(ctx, recs[warm:])
	dt := time.Since(t0).Seconds()
	for _, d := range ds {
		if d.Err != nil {
			fail("publish: %v", d.Err)
		}
	}
	return float64(len(ds)) / dt
}
