package lane

import (
	"bytes"
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
	kUserAgent
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
	UserAgent      = Field(kUserAgent)
)

// ClaimsField and TimeoutField are the names of the fields the gateway
// sets on every upstream request it sends; a client's copies are never
// passed on.
const (
	ClaimsField  = "X-Gantry-Claims"
	TimeoutField = "Gantry-Timeout"
)

// kindOf classifies a field name for the lane's lookups; edge.Classify
// decides what is forwarded.
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
		case eq("user-agent"):
			return kUserAgent
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

// s2b views s as bytes without copying; the result must not be written.
func s2b(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// b2s views b as a string without copying; the result must not outlive
// b's contents (it is only used for lookups and comparisons).
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
