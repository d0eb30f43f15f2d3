package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
)

// The whole CLI as a function: argv in, exit status out, all I/O through cliIO (run.ts, context.ts,
// io.ts of the TypeScript CLI). Every stdout/stderr line and exit status is the TypeScript CLI's.

const (
	exitOK       = 0
	exitInput    = 1
	exitUsage    = 2
	exitInternal = 70
)

// Help page names usage errors point at: the TypeScript CLI's, so that messages are identical.
const (
	helpPcs       = "flk pcs --help"
	helpCanonical = "flk pcs canonical --help"
	helpID        = "flk pcs id --help"
	helpSign      = "flk pcs sign --help"
	helpVerify    = "flk pcs verify --help"
	helpMake      = "flk pcs make --help"
)

type cliIO struct {
	stdin    io.Reader
	stdout   io.Writer
	stderr   io.Writer
	env      map[string]string
	readFile func(path string) ([]byte, error)
	now      func() time.Time
}

type context struct {
	io       *cliIO
	stdin    []byte
	stdinErr error
	stdinRd  bool
}

func (c *context) line(text string)  { fmt.Fprintf(c.io.stdout, "%s\n", text) }
func (c *context) errorf(msg string) { fmt.Fprintf(c.io.stderr, "flk: %s\n", msg) }
func (c *context) env(name string) (string, bool) {
	v, ok := c.io.env[name]
	return v, ok
}

func (c *context) now() time.Time {
	if c.io.now != nil {
		return c.io.now()
	}
	return time.Now()
}

// bytes reads a named input; "-" is standard input, read once (a second "-" sees the same bytes).
func (c *context) bytes(path string) ([]byte, error) {
	if path != "-" {
		return c.io.readFile(path)
	}
	if !c.stdinRd {
		c.stdinRd = true
		c.stdin, c.stdinErr = io.ReadAll(c.io.stdin)
	}
	return c.stdin, c.stdinErr
}

func inputName(path string) string {
	if path == "-" {
		return "<stdin>"
	}
	return path
}

// describeReadError: a one-line description of why an input could not be read.
func describeReadError(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ENOENT:
			return "no such file"
		case syscall.EISDIR:
			return "is a directory"
		case syscall.EACCES, syscall.EPERM:
			return "permission denied"
		}
	}
	if errors.Is(err, os.ErrNotExist) {
		return "no such file"
	}
	if errors.Is(err, errNotUTF8) {
		return "not valid UTF-8"
	}
	return "cannot read: " + err.Error()
}

var errNotUTF8 = errors.New("not valid UTF-8")

type fileResult struct {
	ok   bool
	text string // the output line, or the problem
}

func okLine(s string) fileResult     { return fileResult{true, s} }
func fail(problem string) fileResult { return fileResult{false, problem} }

// forEachFile runs handle on each FILE in order: one stdout line per success, one
// `flk: FILE: problem` stderr line per failure; exit 1 if any failed.
func forEachFile(c *context, files []string, help string, handle func([]byte) fileResult) (int, error) {
	if len(files) == 0 {
		return 0, &usageError{"no FILE given (use - for standard input)", help}
	}
	status := exitOK
	for _, file := range files {
		b, err := c.bytes(file)
		if err != nil {
			c.errorf(inputName(file) + ": " + describeReadError(err))
			status = exitInput
			continue
		}
		r := handle(b)
		if r.ok {
			c.line(r.text)
		} else {
			c.errorf(inputName(file) + ": " + r.text)
			status = exitInput
		}
	}
	return status, nil
}

type command func(args []string, c *context) (int, error)

var commands = map[string]command{
	"canonical": pcsCanonical,
	"id":        pcsID,
	"sign":      pcsSign,
	"verify":    pcsVerify,
	"make":      pcsMake,
}

// run is `flk pcs <argv...>`: flk-pcs canonical|id|sign|verify|make ...
func run(argv []string, cio *cliIO) (code int) {
	c := &context{io: cio}
	defer func() {
		if p := recover(); p != nil {
			c.errorf("internal error: " + oneLine(fmt.Sprint(p)))
			code = exitInternal
		}
	}()
	status, err := dispatch(argv, c)
	if err == nil {
		return status
	}
	var ue *usageError
	var ce *configError
	var ie *inputError
	switch {
	case errors.As(err, &ue):
		c.errorf(oneLine(ue.message) + "; see '" + ue.help + "'")
		return exitUsage
	case errors.As(err, &ce):
		c.errorf(oneLine(ce.message))
		return exitUsage
	case errors.As(err, &ie):
		c.errorf(inputName(ie.input) + ": " + oneLine(ie.message))
		return exitInput
	}
	c.errorf("internal error: " + oneLine(err.Error()))
	return exitInternal
}

func isHelp(arg string) bool { return arg == "--help" || arg == "-h" }

func dispatch(argv []string, c *context) (int, error) {
	if len(argv) == 0 {
		return 0, &usageError{"missing pcs command", helpPcs}
	}
	sub, args := argv[0], argv[1:]
	if isHelp(sub) {
		c.line(pcsHelp)
		return exitOK, nil
	}
	cmd, ok := commands[sub]
	if !ok {
		return 0, &usageError{"unknown pcs command '" + sub + "'", helpPcs}
	}
	return cmd(args, c)
}

func main() {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	os.Exit(run(os.Args[1:], &cliIO{
		stdin:    os.Stdin,
		stdout:   os.Stdout,
		stderr:   os.Stderr,
		env:      env,
		readFile: os.ReadFile,
	}))
}
