// Command flk-pcs-publish builds PCS records from deterministic raw data (points + bytes) with
// pcs.BuildPcs, signs them (HMAC: PCS_HMAC_KEY; Ed25519: PCS_ED25519_PRIV_B64), optionally builds
// tampered records (coh_star changed after signing), publishes everything with the producer
// package (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, …; topic from the config or PCS_SUBMITTED_TOPIC) and
// prints one JSON summary line. Used by test/integration/sdk-cross-language.test.ts.
//
//	flk-pcs-publish '{"topic":"t","seed":1,"shard_prefix":"go","records_out":"/tmp/recs.jsonl",
//	  "batches":[{"count":100,"version":"0.2","alg":"ed25519","tenant":"go","key_id":"go-1","tampered":5}]}'
//
// The config is the first argument, or stdin when there is none (or it is "-").
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/flk/pcs-go/pcs"
	"github.com/flk/pcs-go/producer"
)

type batch struct {
	Count    int     `json:"count"`
	Version  string  `json:"version"`
	Alg      string  `json:"alg"`
	Tenant   *string `json:"tenant"`
	KeyID    *string `json:"key_id"`
	Tampered int     `json:"tampered"`
}

type config struct {
	Topic       string  `json:"topic"`
	Seed        uint64  `json:"seed"`
	ShardPrefix string  `json:"shard_prefix"`
	RecordsOut  string  `json:"records_out"`
	Batches     []batch `json:"batches"`
}

type idRef struct {
	PcsID    string  `json:"pcs_id"`
	TenantID *string `json:"tenant_id"`
}

type summary struct {
	Lang        string   `json:"lang"`
	Topic       string   `json:"topic"`
	Subject     string   `json:"subject"`
	SchemaID    int      `json:"schema_id"`
	Published   int      `json:"published"`
	Honest      int      `json:"honest"`
	Tampered    int      `json:"tampered"`
	Failed      int      `json:"failed"`
	Errors      []string `json:"errors"`
	TamperedIDs []idRef  `json:"tampered_ids"`
}

// splitmix64: deterministic raw data from (seed, record index).
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
func (r *rng) float() float64 { return float64(r.next()>>11) / float64(uint64(1)<<53) }

// rawData: 64 2-D points (uniform, a noisy line or a cluster, by index) and three chunks of bytes
// (random, repetitive, mixed).
func rawData(seed uint64, i int) ([][]float64, [][]byte) {
	r := &rng{s: seed*1_000_003 + uint64(i)}
	pts := make([][]float64, 64)
	for j := range pts {
		switch i % 3 {
		case 0:
			pts[j] = []float64{r.float(), r.float()}
		case 1:
			t := r.float()
			pts[j] = []float64{t, 0.5*t + 0.05*r.float()}
		default:
			pts[j] = []float64{0.4 + 0.1*r.float(), 0.4 + 0.1*r.float()}
		}
	}
	chunks := make([][]byte, 3)
	for c := range chunks {
		b := make([]byte, 96)
		for k := range b {
			switch c {
			case 0:
				b[k] = byte(r.next())
			case 1:
				b[k] = byte('a' + k%4)
			default:
				if k%2 == 0 {
					b[k] = byte(r.next())
				} else {
					b[k] = 'x'
				}
			}
		}
		chunks[c] = b
	}
	return pts, chunks
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "flk-pcs-publish: "+format+"\n", args...)
	os.Exit(code)
}

func main() {
	var raw []byte
	var err error
	if len(os.Args) > 1 && os.Args[1] != "-" {
		raw = []byte(os.Args[1])
	} else if raw, err = io.ReadAll(os.Stdin); err != nil {
		fail(2, "cannot read the config from stdin: %v", err)
	}
	var cfg config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		fail(2, "bad config: %v", err)
	}
	if cfg.ShardPrefix == "" {
		cfg.ShardPrefix = "go"
	}
	signers := map[string]pcs.Signer{}
	signer := func(alg string) pcs.Signer {
		if s, ok := signers[alg]; ok {
			return s
		}
		var s pcs.Signer
		var err error
		switch alg {
		case pcs.AlgHmac:
			s, err = pcs.CreateHmacSigner(os.Getenv("PCS_HMAC_KEY"))
		case pcs.AlgEd25519:
			s, err = pcs.CreateEd25519Signer(os.Getenv("PCS_ED25519_PRIV_B64"))
		default:
			fail(2, "unknown alg '%s' (hmac | ed25519)", alg)
		}
		if err != nil {
			fail(2, "%s signer: %v", alg, err)
		}
		signers[alg] = s
		return s
	}

	var recs []*pcs.Pcs
	var tampered []idRef
	honest := 0
	n := 0
	for bi, b := range cfg.Batches {
		s := signer(b.Alg)
		for i := 0; i < b.Count+b.Tampered; i++ {
			pts, chunks := rawData(cfg.Seed, n)
			n++
			rec, err := pcs.BuildPcs(pcs.BuildPcsInput{
				ShardID: fmt.Sprintf("%s-%d-%d", cfg.ShardPrefix, bi, i), Epoch: int64(1 + i%5), Seed: int64(cfg.Seed) + int64(i),
				SentAt: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), Points: pts, Chunks: chunks,
				OutboxSeq: int64(i), Version: b.Version, TenantID: b.Tenant, KeyID: b.KeyID,
			}, s, nil)
			if err != nil {
				fail(1, "build: %v", err)
			}
			if i >= b.Count { // tampered: a signed field changed after signing
				rec = rec.Clone()
				if rec.CohStar < 0.99 {
					rec.CohStar = pcs.Round9(rec.CohStar + 0.001)
				} else {
					rec.CohStar = pcs.Round9(rec.CohStar - 0.001)
				}
				tampered = append(tampered, idRef{PcsID: rec.PcsID, TenantID: rec.TenantID})
			} else {
				honest++
			}
			recs = append(recs, rec)
		}
	}

	pcfg, err := producer.ConfigFromEnv(nil)
	if err != nil {
		fail(2, "%v", err)
	}
	if cfg.Topic != "" {
		pcfg.Topic, pcfg.Subject = cfg.Topic, cfg.Topic+"-value"
	}
	pcfg.ClientID = "flk-pcs-publish-go"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p, err := producer.New(ctx, pcfg)
	if err != nil {
		fail(1, "producer: %v", err)
	}
	ds := p.PublishBatch(ctx, recs)
	out := summary{Lang: "go", Topic: pcfg.Topic, Subject: p.Subject(), SchemaID: p.SchemaID(), Honest: honest, Tampered: len(tampered), Errors: []string{}, TamperedIDs: tampered}
	for _, d := range ds {
		if d.Err != nil {
			out.Failed++
			out.Errors = append(out.Errors, d.Err.Error())
		} else {
			out.Published++
		}
	}
	p.Close(ctx)

	if cfg.RecordsOut != "" {
		f, err := os.Create(cfg.RecordsOut)
		if err != nil {
			fail(1, "records_out: %v", err)
		}
		w := bufio.NewWriter(f)
		for _, r := range recs {
			text, err := r.MarshalJSON()
			if err != nil {
				fail(1, "marshal: %v", err)
			}
			_, _ = w.Write(text)
			_ = w.WriteByte('\n')
		}
		if err := w.Flush(); err != nil {
			fail(1, "records_out: %v", err)
		}
		_ = f.Close()
	}
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
	if out.Failed > 0 {
		os.Exit(1)
	}
}
