package main

import (
	"errors"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/flk/pcs-go/pcs"
)

var (
	isoTime    = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(?:Z|([+-])([0-9]{2}):([0-9]{2}))$`)
	isoTimeV02 = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?Z$`)
)

// defaultChunkSize is the payload chunk size (bytes) of the Merkle tree.
const defaultChunkSize = 4096

// isoTimeOK is ISO_TIME.test(s) && !isNaN(Date.parse(s)) as V8 decides it: month 1–12, day 1–31
// (any month), hour 0–24 (24 only as 24:00:00.000), minute and second 0–59, offset ≤ 23:59.
func isoTimeOK(s string) bool {
	m := isoTime.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	mo, d, h, mi, sec := n(2), n(3), n(4), n(5), n(6)
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 59 {
		return false
	}
	if h == 24 {
		ms := m[7] + "000"
		if mi != 0 || sec != 0 || strings.Trim(ms[:3], "0") != "" {
			return false
		}
	}
	if m[8] != "" && (n(9) > 23 || n(10) > 59) {
		return false
	}
	return true
}

func isoString(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func nonEmpty(c *context, name string) *string {
	v, ok := c.env(name)
	if !ok || jsTrim(v) == "" {
		return nil
	}
	t := jsTrim(v)
	return &t
}

// flk pcs make: build a PCS from raw data the way an agent does (the core's BuildPcs).
func pcsMake(args []string, c *context) (int, error) {
	h := helpMake
	p, err := parseCommandArgs(args, optSpec{"shard": "string", "epoch": "string", "seed": "string", "attempt": "string",
		"sent-at": "string", "outbox-seq": "string", "points": "string", "data": "string", "chunk-size": "string", "alg": "string",
		"tenant": "string", "key-id": "string", "pcs-version": "string"}, h)
	if err != nil {
		return 0, err
	}
	if p.flags["help"] {
		c.line(makeHelp)
		return exitOK, nil
	}
	if len(p.positionals) > 0 {
		return 0, &usageError{"unexpected argument '" + p.positionals[0] + "'", h}
	}
	shard, err := requireFlag(strPtr(p, "shard"), "shard", h)
	if err != nil {
		return 0, err
	}
	epochP, err := integerFlag(p, "epoch", h)
	if err != nil {
		return 0, err
	}
	epoch, err := requireFlag(epochP, "epoch", h)
	if err != nil {
		return 0, err
	}
	seedP, err := integerFlag(p, "seed", h)
	if err != nil {
		return 0, err
	}
	seed, err := requireFlag(seedP, "seed", h)
	if err != nil {
		return 0, err
	}
	attempt, err := integerFlag(p, "attempt", h)
	if err != nil {
		return 0, err
	}
	outboxSeq, err := integerFlag(p, "outbox-seq", h)
	if err != nil {
		return 0, err
	}
	sentAt, ok := p.str("sent-at")
	if !ok {
		sentAt = isoString(c.now())[:19] + "Z"
	}
	if !isoTimeOK(sentAt) {
		return 0, &usageError{"--sent-at: expected an ISO-8601 time like 2025-01-01T00:00:00Z, got '" + sentAt + "'", h}
	}
	chunkP, err := integerFlag(p, "chunk-size", h)
	if err != nil {
		return 0, err
	}
	chunkSize := int64(defaultChunkSize)
	if chunkP != nil {
		chunkSize = *chunkP
	}
	if chunkSize < 1 {
		return 0, &usageError{"--chunk-size: expected a positive integer, got " + strconv.FormatInt(chunkSize, 10), h}
	}
	pointsFile, err := requireFlag(strPtr(p, "points"), "points", h)
	if err != nil {
		return 0, err
	}
	dataFile, hasData := p.str("data")
	if pointsFile == "-" && hasData && dataFile == "-" {
		return 0, &usageError{"--points and --data cannot both be standard input", h}
	}
	tenant := strPtr(p, "tenant")
	if tenant == nil {
		tenant = nonEmpty(c, envTenantID)
	}
	keyID := strPtr(p, "key-id")
	if keyID == nil {
		keyID = nonEmpty(c, envKeyID)
	}
	version := pcs.PcsVersion
	if v, ok := p.str("pcs-version"); ok {
		if !contains(pcs.PcsVersions, v) {
			return 0, &usageError{"--pcs-version: expected " + strings.Join(pcs.PcsVersions, "|") + ", got '" + v + "'", h}
		}
		version = v
	} else if tenant != nil {
		version = pcs.PcsVersionV02
	}
	if version == pcs.PcsVersionV02 && tenant == nil {
		return 0, &usageError{"a v0.2 record needs --tenant (or PCS_TENANT_ID)", h}
	}
	if version == pcs.PcsVersionV02 && !isoTimeV02.MatchString(sentAt) {
		return 0, &usageError{"--sent-at: a v0.2 sent_at is UTC, like 2025-01-01T00:00:00Z or 2025-01-01T00:00:00.123Z, got '" + sentAt + "'", h}
	}
	alg, err := resolveAlg(strPtr(p, "alg"), c, pcs.SignAlgs, pcs.AlgNone, h)
	if err != nil {
		return 0, err
	}
	signer, err := signerFromEnv(alg, c)
	if err != nil {
		return 0, err
	}

	pointsBytes, err := c.bytes(pointsFile)
	if err != nil {
		return 0, &inputError{pointsFile, describeReadError(err)}
	}
	if !utf8.Valid(pointsBytes) {
		return 0, &inputError{pointsFile, describeReadError(errNotUTF8)}
	}
	pointsText := strings.TrimPrefix(string(pointsBytes), "\ufeff") // TextDecoder drops a BOM
	points, problem, ok := parsePoints(pointsText)
	if !ok {
		return 0, &inputError{pointsFile, problem}
	}
	var data []byte
	if hasData {
		if data, err = c.bytes(dataFile); err != nil {
			return 0, &inputError{dataFile, describeReadError(err)}
		}
	}
	in := pcs.BuildPcsInput{ShardID: shard, Epoch: epoch, Seed: seed, SentAt: sentAt, Points: points,
		Chunks: chunkBytes(data, int(chunkSize)), Attempt: attempt, Version: version, TenantID: tenant, KeyID: keyID}
	if outboxSeq != nil {
		in.OutboxSeq = *outboxSeq
	}
	rec, err := pcs.BuildPcs(in, signer, nil)
	if err != nil {
		var fe *pcs.FlkPcsError
		if errors.As(err, &fe) {
			return 0, &inputError{"pcs make", fe.Message}
		}
		return 0, err
	}
	out, _ := rec.MarshalJSON()
	c.line(string(out))
	return exitOK, nil
}

// chunkBytes: consecutive size-byte chunks (the last may be shorter; none when empty).
func chunkBytes(data []byte, size int) [][]byte {
	var chunks [][]byte
	for at := 0; at < len(data); at += size {
		end := at + size
		if end > len(data) || end < 0 {
			end = len(data)
		}
		chunks = append(chunks, data[at:end])
	}
	return chunks
}

// parsePoints (points.ts): a JSON array of numeric arrays, or JSON Lines with one numeric array per
// line (blank lines skipped); a whole text that is one flat numeric array is one point.
func parsePoints(text string) ([][]float64, string, bool) {
	trimmed := jsTrim(text)
	if trimmed == "" {
		return [][]float64{}, "", true
	}
	whole, ok := jsonParse(trimmed)
	if !ok {
		return parseJSONLines(text)
	}
	arr, isArr := whole.([]any)
	if !isArr {
		return nil, "points: expected a JSON array of numeric arrays, or one numeric array per line", false
	}
	anyArray := false
	for _, e := range arr {
		if _, ok := e.([]any); ok {
			anyArray = true
		}
	}
	if len(arr) > 0 && !anyArray {
		return checkPointRows([]any{arr}, func(i int) string { return "line " + strconv.Itoa(i+1) })
	}
	return checkPointRows(arr, func(i int) string { return "points[" + strconv.Itoa(i) + "]" })
}

var lineSplit = regexp.MustCompile(`\r?\n`)

func parseJSONLines(text string) ([][]float64, string, bool) {
	var rows []any
	var where []int
	for i, line := range lineSplit.Split(text, -1) {
		line = jsTrim(line)
		if line == "" {
			continue
		}
		v, ok := jsonParse(line)
		if !ok {
			return nil, "points: line " + strconv.Itoa(i+1) + ": not JSON", false
		}
		rows = append(rows, v)
		where = append(where, i+1)
	}
	return checkPointRows(rows, func(i int) string { return "line " + strconv.Itoa(where[i]) })
}

func checkPointRows(rows []any, label func(int) string) ([][]float64, string, bool) {
	points := make([][]float64, 0, len(rows))
	for i, row := range rows {
		arr, ok := row.([]any)
		good := ok && len(arr) > 0
		var p []float64
		if good {
			for _, x := range arr {
				f, isNum := x.(float64)
				if !isNum || f != f || f > 1.7976931348623157e308 || f < -1.7976931348623157e308 {
					good = false
					break
				}
				p = append(p, f)
			}
		}
		if !good {
			return nil, "points: " + label(i) + ": expected a non-empty array of finite numbers", false
		}
		points = append(points, p)
	}
	return points, "", true
}

// nodeErrorCode is the Node error code of a file system error (ENOENT, EACCES, EISDIR, …).
func nodeErrorCode(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		names := map[syscall.Errno]string{syscall.ENOENT: "ENOENT", syscall.EACCES: "EACCES", syscall.EISDIR: "EISDIR",
			syscall.ENOTDIR: "ENOTDIR", syscall.EPERM: "EPERM", syscall.ELOOP: "ELOOP", syscall.ENAMETOOLONG: "ENAMETOOLONG"}
		if n, ok := names[errno]; ok {
			return n
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return "ENOENT"
	}
	if errors.Is(err, os.ErrPermission) {
		return "EACCES"
	}
	return ""
}
