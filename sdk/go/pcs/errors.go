package pcs

import "fmt"

// Error codes of FlkPcsError (the same strings as the TypeScript core's PCS_ERROR_CODES).
const (
	// CodeInvalidKey: key material that cannot be used (bad base64, wrong length, empty HMAC key, invalid point).
	CodeInvalidKey = "PCS_INVALID_KEY"
	// CodeInvalidArgument: a function of the core was called with values it does not accept.
	CodeInvalidArgument = "PCS_INVALID_ARGUMENT"
	// CodeInvalidKeyRing: a v0.2 key ring document (PCS_KEYRING_FILE) that cannot be used.
	CodeInvalidKeyRing = "PCS_INVALID_KEYRING"
	// CodeInvalidParams: decision parameters (tolerances, budget weights) that are not usable numbers.
	CodeInvalidParams = "PCS_INVALID_PARAMS"
)

// FlkPcsError is for programmer and configuration errors; a bad record or signature is a verdict,
// never an error. Every code of this package is final: Retriable is always false. Messages never
// contain key material.
type FlkPcsError struct {
	Code    string
	Message string
}

func (e *FlkPcsError) Error() string { return e.Message }

// Retriable reports whether retrying could help: never, for this package's errors.
func (e *FlkPcsError) Retriable() bool { return false }

func newError(code, format string, args ...any) *FlkPcsError {
	return &FlkPcsError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func invalidArgument(format string, args ...any) *FlkPcsError {
	return newError(CodeInvalidArgument, format, args...)
}

func invalidKey(format string, args ...any) *FlkPcsError {
	return newError(CodeInvalidKey, format, args...)
}
