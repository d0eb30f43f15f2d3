// Package producer publishes PCS records to Kafka (topic pcs.submitted by default) in the Confluent
// wire format through a Confluent-compatible schema registry, as the TypeScript agent does
// (docs/agent.md): an idempotent franz-go producer with acks=all, key = pcs_id (UTF-8, murmur2
// partitioning as the Java client), value = 0x00 + 4-byte schema id + Avro body (hamba/avro) of
// schemas/pcs-v1.avsc, retries with exponential backoff and jitter inside the delivery timeout,
// and one delivery report per record: delivered (partition, offset) or failed (a typed error with a
// code and a retriable flag). Nothing is dropped silently.
package producer

import (
	"context"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/flk/pcs-go/pcs"
)

// PcsSchemaV1 is schemas/pcs-v1.avsc (a copy kept identical by a test).
//
//go:embed pcs-v1.avsc
var PcsSchemaV1 string

// Error codes.
const (
	CodeConfig              = "PRODUCER_CONFIG"               // bad configuration (not retriable)
	CodeInvalidRecord       = "PRODUCER_INVALID_RECORD"       // the record would be malformed (not retriable; names the fields)
	CodeRegistryUnavailable = "PRODUCER_REGISTRY_UNAVAILABLE" // registry unreachable / 5xx (retriable)
	CodeRegistryRefused     = "PRODUCER_REGISTRY_REFUSED"     // registry refused the schema (not retriable)
	CodeEncodeFailed        = "PRODUCER_ENCODE_FAILED"        // the record does not fit the writer schema (not retriable)
	CodePublishUnavailable  = "PRODUCER_PUBLISH_UNAVAILABLE"  // broker unreachable, timeout, leader change… (retriable)
	CodePublishRejected     = "PRODUCER_PUBLISH_REJECTED"     // the broker refused it for good (too large, not authorised…)
	CodeClosed              = "PRODUCER_CLOSED"               // Publish after Close
)

// Error is every error of this package: a code, whether retrying can help, and the cause.
type Error struct {
	Code      string
	Message   string
	Retriable bool
	Err       error
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Err }

// IsRetriable reports whether err (or what it wraps) is a retriable producer error.
func IsRetriable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retriable
}

// Delivery is the report of one record: delivered when Err is nil.
type Delivery struct {
	PcsID     string
	ShardID   string
	Topic     string
	Partition int32
	Offset    int64
	// Timestamp is the broker's (LogAppendTime on pcs.submitted) or the producer's.
	Timestamp time.Time
	Err       error
}

// Producer publishes records. Safe for concurrent use.
type Producer struct {
	cfg      Config
	client   *kgo.Client
	registry *sr.Client
	schema   avro.Schema
	schemaID int
	mu       sync.RWMutex
	closed   bool
}

// New connects to the registry (resolving the writer schema id) and creates the Kafka client.
func New(ctx context.Context, cfg Config) (*Producer, error) {
	cfg = withDefaults(cfg)
	reg, err := sr.NewClient(sr.URLs(cfg.RegistryURL), sr.UserAgent("flk-pcs-go"))
	if err != nil {
		return nil, &Error{Code: CodeConfig, Message: "schema registry: " + err.Error(), Err: err}
	}
	p := &Producer{cfg: cfg, registry: reg}
	if err := p.resolveSchema(ctx); err != nil {
		return nil, err
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ClientID(cfg.ClientID),
		kgo.DefaultProduceTopic(cfg.Topic),
		kgo.RequiredAcks(kgo.AllISRAcks()), // idempotent writes need acks=all (franz-go's default)
		kgo.ProducerLinger(cfg.Linger),
		kgo.ProduceRequestTimeout(cfg.AckTimeout),
		kgo.RecordDeliveryTimeout(cfg.DeliveryTimeout),
		kgo.RetryTimeout(cfg.DeliveryTimeout),
		kgo.RetryBackoffFn(p.backoff),
		kgo.DialTimeout(cfg.ConnectTimeout),
		kgo.ProducerBatchCompression(kgo.NoCompression()),
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)), // murmur2 of the key, as the Java client
	}
	if cfg.TLS != nil {
		opts = append(opts, kgo.DialTLSConfig(cfg.TLS.Clone()))
	}
	if cfg.SASLMechanism != "" {
		var m sasl.Mechanism
		switch cfg.SASLMechanism {
		case "plain":
			m = plain.Auth{User: cfg.SASLUsername, Pass: cfg.SASLPassword}.AsMechanism()
		case "scram-sha-256":
			m = scram.Auth{User: cfg.SASLUsername, Pass: cfg.SASLPassword}.AsSha256Mechanism()
		case "scram-sha-512":
			m = scram.Auth{User: cfg.SASLUsername, Pass: cfg.SASLPassword}.AsSha512Mechanism()
		default:
			return nil, &Error{Code: CodeConfig, Message: "unknown SASL mechanism " + cfg.SASLMechanism}
		}
		opts = append(opts, kgo.SASL(m))
	}
	if cfg.Logf != nil {
		opts = append(opts, kgo.WithLogger(kgo.BasicLogger(logWriter{cfg.Logf}, kgo.LogLevelWarn, nil)))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, &Error{Code: CodeConfig, Message: "kafka client: " + err.Error(), Err: err}
	}
	p.client = cl
	return p, nil
}

type logWriter struct{ f func(string, ...any) }

func (w logWriter) Write(b []byte) (int, error) {
	w.f("%s", strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// backoff is the agent's: base = min(max, initial·mult^(n−1)), delay = base/2 + random·base/2.
func (p *Producer) backoff(tries int) time.Duration {
	if tries < 1 {
		tries = 1
	}
	base := float64(p.cfg.RetryInitial) * math.Pow(p.cfg.RetryMultiplier, float64(tries-1))
	if base > float64(p.cfg.RetryMax) || math.IsInf(base, 0) {
		base = float64(p.cfg.RetryMax)
	}
	return time.Duration(base/2 + rand.Float64()*base/2)
}

// SchemaID is the registry id of the writer schema every message carries.
func (p *Producer) SchemaID() int { return p.schemaID }

// Subject is the registry subject the schema was registered under / taken from.
func (p *Producer) Subject() string { return p.cfg.Subject }

func registryError(what string, err error) error {
	var re *sr.ResponseError
	if errors.As(err, &re) && re.StatusCode < 500 && re.StatusCode != 0 && re.StatusCode != 408 && re.StatusCode != 429 {
		return &Error{Code: CodeRegistryRefused, Message: fmt.Sprintf("schema registry refused %s (HTTP %d): %s", what, re.StatusCode, re.Error()), Err: err}
	}
	return &Error{Code: CodeRegistryUnavailable, Retriable: true, Message: fmt.Sprintf("schema registry: %s failed: %v", what, err), Err: err}
}

func (p *Producer) resolveSchema(ctx context.Context) error {
	var text string
	switch p.cfg.Schema {
	case SchemaRegister:
		ss, err := p.registry.CreateSchema(ctx, p.cfg.Subject, sr.Schema{Schema: PcsSchemaV1, Type: sr.TypeAvro})
		if err != nil {
			return registryError("registering "+p.cfg.Subject, err)
		}
		p.schemaID, text = ss.ID, PcsSchemaV1
	case SchemaLatest:
		ss, err := p.registry.SchemaByVersion(ctx, p.cfg.Subject, -1)
		if err != nil {
			return registryError("reading the latest schema of "+p.cfg.Subject, err)
		}
		if ss.Type != sr.TypeAvro {
			return &Error{Code: CodeRegistryRefused, Message: fmt.Sprintf("schema registry: the latest schema of %s is %s, not AVRO", p.cfg.Subject, ss.Type)}
		}
		p.schemaID, text = ss.ID, ss.Schema.Schema
	default:
		return &Error{Code: CodeConfig, Message: fmt.Sprintf("unknown schema source %q (expected %s or %s)", p.cfg.Schema, SchemaRegister, SchemaLatest)}
	}
	s, err := avro.Parse(text)
	if err != nil {
		return &Error{Code: CodeRegistryRefused, Message: "schema registry: the writer schema is not valid Avro: " + err.Error(), Err: err}
	}
	p.schema = s
	return nil
}

type avroFt struct {
	OutboxSeq   int64    `avro:"outbox_seq"`
	Degraded    bool     `avro:"degraded"`
	Fallbacks   []string `avro:"fallbacks"`
	ClockSkewMs float64  `avro:"clock_skew_ms"`
}

type avroPcs struct {
	PcsID      string           `avro:"pcs_id"`
	Schema     string           `avro:"schema"`
	Version    string           `avro:"version"`
	ShardID    string           `avro:"shard_id"`
	Epoch      int64            `avro:"epoch"`
	Attempt    int64            `avro:"attempt"`
	SentAt     string           `avro:"sent_at"`
	Seed       int64            `avro:"seed"`
	Scales     []int64          `avro:"scales"`
	NJ         map[string]int64 `avro:"N_j"`
	CohStar    float64          `avro:"coh_star"`
	VStar      []float64        `avro:"v_star"`
	DHat       float64          `avro:"D_hat"`
	R          float64          `avro:"r"`
	Regime     string           `avro:"regime"`
	Budget     float64          `avro:"budget"`
	MerkleRoot string           `avro:"merkle_root"`
	Sig        *string          `avro:"sig"`
	Ft         avroFt           `avro:"ft"`
	TenantID   *string          `avro:"tenant_id"`
	KeyID      *string          `avro:"key_id"`
}

func toAvro(r *pcs.Pcs) *avroPcs {
	return &avroPcs{PcsID: r.PcsID, Schema: r.Schema, Version: r.Version, ShardID: r.ShardID, Epoch: r.Epoch, Attempt: r.Attempt,
		SentAt: r.SentAt, Seed: r.Seed, Scales: append([]int64{}, r.Scales...), NJ: r.NJ, CohStar: r.CohStar,
		VStar: append([]float64{}, r.VStar...), DHat: r.DHat, R: r.R, Regime: r.Regime, Budget: r.Budget, MerkleRoot: r.MerkleRoot,
		Sig: r.Sig, Ft: avroFt{OutboxSeq: r.Ft.OutboxSeq, Degraded: r.Ft.Degraded, Fallbacks: append([]string{}, r.Ft.Fallbacks...), ClockSkewMs: r.Ft.ClockSkewMs},
		TenantID: r.TenantID, KeyID: r.KeyID}
}

// Encode is the record's message value: Confluent wire format (magic 0, big-endian schema id) +
// Avro binary of the writer schema. The record is validated first (contract §1 / §7.1): a record
// the verifier would reject as malformed is an Error (CodeInvalidRecord) naming every field.
func (p *Producer) Encode(rec *pcs.Pcs) ([]byte, error) {
	if rec == nil {
		return nil, &Error{Code: CodeInvalidRecord, Message: "record is nil"}
	}
	if res := pcs.ValidatePcs(rec); !res.OK {
		return nil, &Error{Code: CodeInvalidRecord, Message: "the record would be malformed (" + strings.Join(res.Reasons, ", ") + ")"}
	}
	body, err := avro.Marshal(p.schema, toAvro(rec))
	if err != nil {
		return nil, &Error{Code: CodeEncodeFailed, Message: "the record does not match its schema: " + err.Error(), Err: err}
	}
	out := make([]byte, 5, 5+len(body))
	binary.BigEndian.PutUint32(out[1:], uint32(p.schemaID))
	return append(out, body...), nil
}

// PublishAsync sends one record; done (optional) is called exactly once with its delivery report,
// from a client goroutine. The record carries the traceparent header of ctx (WithTraceparent), else
// a fresh one (franz-go's own retries re-send the same record, header included). An error before sending (closed, invalid record) is reported through
// done as well.
func (p *Producer) PublishAsync(ctx context.Context, rec *pcs.Pcs, done func(Delivery)) {
	if done == nil {
		done = func(Delivery) {}
	}
	d := Delivery{Topic: p.cfg.Topic}
	if rec != nil {
		d.PcsID, d.ShardID = rec.PcsID, rec.ShardID
	}
	value, err := p.Encode(rec)
	if err != nil {
		d.Err = err
		done(d)
		return
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		d.Err = &Error{Code: CodeClosed, Message: "producer is closed"}
		done(d)
		return
	}
	kr := &kgo.Record{Key: []byte(rec.PcsID), Value: value, Topic: p.cfg.Topic,
		Headers: []kgo.RecordHeader{{Key: TraceparentHeader, Value: []byte(traceparentOf(ctx))}}}
	p.client.Produce(ctx, kr, func(r *kgo.Record, err error) {
		d.Partition, d.Offset, d.Timestamp = r.Partition, r.Offset, r.Timestamp
		if err != nil {
			d.Err = publishError(err)
			if p.cfg.Logf != nil {
				p.cfg.Logf("flk producer: record %s of shard %s not delivered: %v", d.PcsID, d.ShardID, d.Err)
			}
		}
		done(d)
	})
}

// Publish sends one record and waits for its delivery report.
func (p *Producer) Publish(ctx context.Context, rec *pcs.Pcs) Delivery {
	ch := make(chan Delivery, 1)
	p.PublishAsync(ctx, rec, func(d Delivery) { ch <- d })
	return <-ch
}

// PublishBatch sends records and waits for all of their reports (in input order).
func (p *Producer) PublishBatch(ctx context.Context, recs []*pcs.Pcs) []Delivery {
	out := make([]Delivery, len(recs))
	var wg sync.WaitGroup
	wg.Add(len(recs))
	for i, r := range recs {
		i := i
		p.PublishAsync(ctx, r, func(d Delivery) { out[i] = d; wg.Done() })
	}
	wg.Wait()
	return out
}

// Flush waits until every buffered record has its report.
func (p *Producer) Flush(ctx context.Context) error { return p.client.Flush(ctx) }

// Close flushes what is buffered (bounded by ctx) and closes the client; reports of records still
// in flight are failures (retriable).
func (p *Producer) Close(ctx context.Context) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()
	_ = p.client.Flush(ctx)
	p.client.Close()
}

func publishError(err error) error {
	var ke *kerr.Error
	switch {
	case errors.As(err, &ke) && !ke.Retriable:
		return &Error{Code: CodePublishRejected, Message: "kafka refused the record: " + err.Error(), Err: err}
	case errors.Is(err, kgo.ErrRecordTimeout), errors.Is(err, kgo.ErrRecordRetries), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, context.Canceled), errors.Is(err, kgo.ErrClientClosed), errors.As(err, &ke), isNetErr(err):
		return &Error{Code: CodePublishUnavailable, Retriable: true, Message: "kafka: record not acknowledged: " + err.Error(), Err: err}
	}
	return &Error{Code: CodePublishUnavailable, Retriable: true, Message: "kafka: " + err.Error(), Err: err}
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}

// OutboxSeq numbers records per shard in publish order (ft.outbox_seq, as the agent does),
// starting at Start (default 1). Safe for concurrent use.
type OutboxSeq struct {
	Start int64
	mu    sync.Mutex
	next  map[string]int64
}

// Next is the shard's next outbox_seq.
func (o *OutboxSeq) Next(shardID string) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.next == nil {
		o.next = map[string]int64{}
	}
	n, ok := o.next[shardID]
	if !ok {
		n = o.Start
		if n == 0 {
			n = 1
		}
	}
	o.next[shardID] = n + 1
	return n
}
