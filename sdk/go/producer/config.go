package producer

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/flk/pcs-go/pcs"
)

// Config is the producer's configuration. ConfigFromEnv reads it from the contract's and the agent's
// environment names (docs/agent.md §6), as the TypeScript agent does.
type Config struct {
	// Brokers: KAFKA_BROKERS (comma-separated host:port), default 127.0.0.1:9092.
	Brokers []string
	// TLS: KAFKA_SSL=true (system CAs) or KAFKA_SSL_CA_FILE (a PEM CA, implies TLS); nil = plain TCP.
	TLS *tls.Config
	// SASL: KAFKA_SASL_MECHANISM (plain | scram-sha-256 | scram-sha-512), KAFKA_SASL_USERNAME,
	// KAFKA_SASL_PASSWORD. Empty mechanism = none.
	SASLMechanism, SASLUsername, SASLPassword string
	// RegistryURL: SCHEMA_REGISTRY_URL, default http://127.0.0.1:8081 (Confluent-compatible).
	RegistryURL string
	// Topic: PCS_SUBMITTED_TOPIC, default pcs.submitted (it must exist).
	Topic string
	// Subject: the registry subject (TopicNameStrategy), default Topic + "-value".
	Subject string
	// Schema chooses the writer schema: SchemaRegister (default) registers the embedded
	// schemas/pcs-v1.avsc under Subject (idempotent: an identical schema keeps its id); SchemaLatest
	// uses the subject's latest registered version (e.g. a newer schema the verifier's team registered).
	Schema string
	// ClientID: AGENT_CLIENT_ID, default flk-agent-go.
	ClientID string
	// ConnectTimeout: AGENT_CONNECT_TIMEOUT_MS, default 3 s (TCP connect per broker).
	ConnectTimeout time.Duration
	// AckTimeout: AGENT_ACK_TIMEOUT_MS, default 30 s (how long the broker may take to acknowledge one request).
	AckTimeout time.Duration
	// DeliveryTimeout bounds one record from Publish to its delivery report, retries included
	// (default 2 minutes). A record not acknowledged by then is reported failed (retriable).
	DeliveryTimeout time.Duration
	// Retry backoff between attempts: AGENT_RETRY_INITIAL_MS / AGENT_RETRY_MAX_MS /
	// AGENT_RETRY_MULTIPLIER (200 / 10000 / 2): base = min(max, initial·mult^(n−1)), delay =
	// base/2 + random·base/2 (exponential with jitter, as the agent).
	RetryInitial, RetryMax time.Duration
	RetryMultiplier        float64
	// Linger: AGENT_LINGER_MS, default 50 ms (longest a record waits for its batch).
	Linger time.Duration
	// Logger, optional: one line per retry / failure (never record contents or keys).
	Logf func(format string, args ...any)
}

// Schema sources.
const (
	SchemaRegister = "register"
	SchemaLatest   = "latest"
)

// Env looks a variable up (os.LookupEnv).
type Env func(name string) (string, bool)

func withDefaults(c Config) Config {
	if len(c.Brokers) == 0 {
		c.Brokers = []string{"127.0.0.1:9092"}
	}
	if c.RegistryURL == "" {
		c.RegistryURL = "http://127.0.0.1:8081"
	}
	if c.Topic == "" {
		c.Topic = "pcs.submitted"
	}
	if c.Subject == "" {
		c.Subject = c.Topic + "-value"
	}
	if c.Schema == "" {
		c.Schema = SchemaRegister
	}
	if c.ClientID == "" {
		c.ClientID = "flk-agent-go"
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = 3 * time.Second
	}
	if c.AckTimeout == 0 {
		c.AckTimeout = 30 * time.Second
	}
	if c.DeliveryTimeout == 0 {
		c.DeliveryTimeout = 2 * time.Minute
	}
	if c.RetryInitial == 0 {
		c.RetryInitial = 200 * time.Millisecond
	}
	if c.RetryMax == 0 {
		c.RetryMax = 10 * time.Second
	}
	if c.RetryMultiplier == 0 {
		c.RetryMultiplier = 2
	}
	if c.Linger == 0 {
		c.Linger = 50 * time.Millisecond
	}
	return c
}

var hostPort = regexp.MustCompile(`^[^\s:]+:\d{1,5}$`)

// ConfigFromEnv reads the Kafka / registry settings. Every bad variable is named in one error
// (code PRODUCER_CONFIG); the SASL password never appears in it.
func ConfigFromEnv(env Env) (Config, error) {
	if env == nil {
		env = os.LookupEnv
	}
	var problems []string
	raw := func(name string) (string, bool) {
		v, ok := env(name)
		v = strings.TrimSpace(v)
		return v, ok && v != ""
	}
	var c Config
	if v, ok := raw("KAFKA_BROKERS"); ok {
		for _, b := range strings.Split(v, ",") {
			if b = strings.TrimSpace(b); b != "" {
				c.Brokers = append(c.Brokers, b)
			}
		}
		if len(c.Brokers) == 0 {
			problems = append(problems, "KAFKA_BROKERS: at least one host:port")
		}
	} else {
		c.Brokers = []string{"127.0.0.1:9092"}
	}
	for _, b := range c.Brokers {
		if !hostPort.MatchString(b) {
			problems = append(problems, fmt.Sprintf("KAFKA_BROKERS: '%s' is not host:port", b))
		}
	}
	if v, ok := raw("KAFKA_SSL"); ok {
		switch strings.ToLower(v) {
		case "1", "true", "yes", "on":
			c.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
		case "0", "false", "no", "off":
		default:
			problems = append(problems, fmt.Sprintf("KAFKA_SSL: expected true or false, got %s", pcs.QuoteString(strings.ToLower(v))))
		}
	}
	if f, ok := raw("KAFKA_SSL_CA_FILE"); ok {
		pem, err := os.ReadFile(f)
		pool := x509.NewCertPool()
		if err != nil || !pool.AppendCertsFromPEM(pem) {
			problems = append(problems, "KAFKA_SSL_CA_FILE: cannot read "+f)
		} else {
			c.TLS = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}
		}
	}
	if m, ok := raw("KAFKA_SASL_MECHANISM"); ok {
		switch m {
		case "plain", "scram-sha-256", "scram-sha-512":
			c.SASLMechanism = m
		default:
			problems = append(problems, fmt.Sprintf("KAFKA_SASL_MECHANISM: expected one of plain, scram-sha-256, scram-sha-512, got %s", pcs.QuoteString(m)))
			c.SASLMechanism = "plain"
		}
		u, uok := raw("KAFKA_SASL_USERNAME")
		p, pok := env("KAFKA_SASL_PASSWORD")
		if !uok || !pok || p == "" {
			problems = append(problems, "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM")
		}
		c.SASLUsername, c.SASLPassword = u, p
	}
	if v, ok := raw("SCHEMA_REGISTRY_URL"); ok {
		c.RegistryURL = v
	}
	if v, ok := raw("PCS_SUBMITTED_TOPIC"); ok {
		c.Topic = v
	}
	if v, ok := raw("AGENT_CLIENT_ID"); ok {
		c.ClientID = v
	}
	ms := func(name string, into *time.Duration, min int64) {
		v, ok := raw(name)
		if !ok {
			return
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < min || n > pcs.MaxSafeInteger {
			problems = append(problems, fmt.Sprintf("%s: expected an integer in [%d, %d], got %s", name, min, int64(pcs.MaxSafeInteger), pcs.QuoteString(v)))
			return
		}
		*into = time.Duration(n) * time.Millisecond
	}
	ms("AGENT_CONNECT_TIMEOUT_MS", &c.ConnectTimeout, 1)
	ms("AGENT_ACK_TIMEOUT_MS", &c.AckTimeout, 1)
	ms("AGENT_LINGER_MS", &c.Linger, 0)
	ms("AGENT_RETRY_INITIAL_MS", &c.RetryInitial, 1)
	ms("AGENT_RETRY_MAX_MS", &c.RetryMax, 1)
	if v, ok := raw("AGENT_RETRY_MULTIPLIER"); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 1 {
			problems = append(problems, fmt.Sprintf("AGENT_RETRY_MULTIPLIER: expected a number in [1, Infinity], got %s", pcs.QuoteString(v)))
		} else {
			c.RetryMultiplier = f
		}
	}
	if len(problems) > 0 {
		return c, &Error{Code: CodeConfig, Message: "invalid configuration: " + strings.Join(problems, "; ")}
	}
	return withDefaults(c), nil
}

// Signing is what a producer signs with (contract §6, §7.7): PCS_SIGN_ALG (none | hmac | ed25519),
// PCS_HMAC_KEY (the first key of the list) or PCS_ED25519_PRIV_B64, and for v0.2 PCS_TENANT_ID and
// PCS_KEY_ID.
type Signing struct {
	Signer   pcs.Signer // nil for none
	TenantID *string
	KeyID    *string
}

// SigningFromEnv reads Signing. Keys never appear in errors.
func SigningFromEnv(env Env) (Signing, error) {
	if env == nil {
		env = os.LookupEnv
	}
	raw := func(name string) (string, bool) {
		v, ok := env(name)
		v = strings.TrimSpace(v)
		return v, ok && v != ""
	}
	var s Signing
	if t, ok := raw("PCS_TENANT_ID"); ok {
		s.TenantID = &t
	}
	if k, ok := raw("PCS_KEY_ID"); ok {
		s.KeyID = &k
	}
	alg, ok := raw("PCS_SIGN_ALG")
	if !ok {
		alg = pcs.AlgNone
	}
	first := func(name string) (string, error) {
		v, _ := raw(name)
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				return k, nil
			}
		}
		return "", &Error{Code: CodeConfig, Message: fmt.Sprintf("%s is not set (needed for %s signatures)", name, alg)}
	}
	var err error
	switch alg {
	case pcs.AlgNone:
	case pcs.AlgHmac:
		var k string
		if k, err = first("PCS_HMAC_KEY"); err == nil {
			s.Signer, err = pcs.CreateHmacSigner(k)
		}
	case pcs.AlgEd25519:
		var k string
		if k, err = first("PCS_ED25519_PRIV_B64"); err == nil {
			s.Signer, err = pcs.CreateEd25519Signer(k)
		}
	default:
		err = &Error{Code: CodeConfig, Message: fmt.Sprintf("PCS_SIGN_ALG: expected one of none, hmac, ed25519, got %s", pcs.QuoteString(alg))}
	}
	if err != nil {
		if _, isOurs := err.(*Error); !isOurs {
			err = &Error{Code: CodeConfig, Message: "invalid key (" + err.Error() + ")", Err: err}
		}
		return Signing{}, err
	}
	return s, nil
}
