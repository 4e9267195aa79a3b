package lane

import (
	"bytes"
	"encoding/binary"
	"unsafe"
)

// kind classifies a field name the lane or the gateway reads, writes or
// replaces; kOther is every other name.
type kind uint8

const (
	kOther kind = iota
	kHost
	kContentLength
	kTransferEncoding
	kConnection
	kUpgrade
	kExpect
	kAuthorization
	kRequestID
	kTraceparent
	kTracestate
	kAcceptVersion
	kAccept
	kHop // Keep-Alive, Proxy-Connection, Proxy-Authenticate, Proxy-Authorization, Trailer
	kTE
	kForwarding // X-Forwarded-For/Host/Proto, Forwarded: replaced at the edge
	kClaims     // the gateway's own claims header: never taken from a client
	kRetryAfter
	kContentType
	kTimeout // Gantry-Timeout: set by the gateway, never taken from a client
	kIdempotencyKey
)

// Field names a request field the gateway reads through Request.Get.
type Field uint8

// The fields the gateway reads.
const (
	Authorization  = Field(kAuthorization)
	AcceptVersion  = Field(kAcceptVersion)
	Accept         = Field(kAccept)
	Traceparent    = Field(kTraceparent)
	Tracestate     = Field(kTracestate)
	RequestID      = Field(kRequestID)
	IdempotencyKey = Field(kIdempotencyKey)
)

// ClaimsField and TimeoutField are the names of the fields the gateway
// sets on every upstream request it sends; a client's copies are never
// passed on.
const (
	ClaimsField  = "X-Gantry-Claims"
	TimeoutField = "Gantry-Timeout"
)

// validValue reports whether v holds no control bytes but tabs (no CR,
// LF or NUL that a later parser could split on). It checks eight bytes at
// a time: JWTs and cookies make values long.
func validValue(v []byte) bool {
	const lo, hi, del = 0x0101010101010101, 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
	for len(v) >= 8 {
		x := binary.LittleEndian.Uint64(v)
		below := (x - 0x20*lo) &^ x & hi // a byte < 0x20
		y := x ^ del
		isDel := (y - lo) &^ y & hi // a byte == 0x7f
		if below|isDel != 0 {
			break // let the exact loop below judge these eight
		}
		v = v[8:]
	}
	for _, ch := range v {
		if ch < ' ' && ch != '\t' || ch == 0x7f {
			return false
		}
	}
	return true
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

func kindOf(name []byte) kind {
	eq := func(s string) bool { return bytes.EqualFold(name, s2b(s)) }
	switch len(name) {
	case 2:
		if eq("te") {
			return kTE
		}
	case 4:
		if eq("host") {
			return kHost
		}
	case 6:
		switch {
		case eq("accept"):
			return kAccept
		case eq("expect"):
			return kExpect
		}
	case 7:
		switch {
		case eq("upgrade"):
			return kUpgrade
		case eq("trailer"):
			return kHop
		}
	case 9:
		if eq("forwarded") {
			return kForwarding
		}
	case 10:
		switch {
		case eq("connection"):
			return kConnection
		case eq("keep-alive"):
			return kHop
		case eq("tracestate"):
			return kTracestate
		}
	case 11:
		switch {
		case eq("traceparent"):
			return kTraceparent
		case eq("retry-after"):
			return kRetryAfter
		}
	case 12:
		switch {
		case eq("x-request-id"):
			return kRequestID
		case eq("content-type"):
			return kContentType
		}
	case 13:
		if eq("authorization") {
			return kAuthorization
		}
	case 14:
		switch {
		case eq("content-length"):
			return kContentLength
		case eq("accept-version"):
			return kAcceptVersion
		case eq(TimeoutField):
			return kTimeout
		}
	case 15:
		switch {
		case eq("x-forwarded-for"):
			return kForwarding
		case eq("idempotency-key"):
			return kIdempotencyKey
		case eq(ClaimsField):
			return kClaims
		}
	case 16:
		switch {
		case eq("x-forwarded-host"):
			return kForwarding
		case eq("proxy-connection"):
			return kHop
		}
	case 17:
		switch {
		case eq("x-forwarded-proto"):
			return kForwarding
		case eq("transfer-encoding"):
			return kTransferEncoding
		}
	case 18:
		if eq("proxy-authenticate") {
			return kHop
		}
	case 19:
		if eq("proxy-authorization") {
			return kHop
		}
	}
	return kOther
}

// tokenChars are the bytes RFC 9110 allows in a field name.
var tokenChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-32] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

func isToken(c byte) bool { return tokenChars[c] }

// s2b views s as bytes without copying; the result must not be written.
func s2b(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// b2s views b as a string without copying; the result must not outlive
// b's contents (it is only used for lookups and comparisons).
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
