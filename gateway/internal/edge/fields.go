package edge

// Kind is what the gateway does with a header field, by its name.
type Kind uint8

const (
	// Other fields are end to end: forwarded as they came, unless the
	// message's Connection header names them.
	Other Kind = iota
	// Framing fields (Content-Length, Transfer-Encoding) say where a
	// message ends. The gateway reads them, checks them, and writes its
	// own framing on every message it forwards: they are never relayed.
	Framing
	// Hop fields concern one connection only (Connection, Keep-Alive,
	// Proxy-Connection, Proxy-Authenticate, Proxy-Authorization, TE,
	// Trailer, Upgrade, HTTP2-Settings, Expect): never relayed. A
	// WebSocket upgrade is re-created by the gateway, not relayed.
	Hop
	// Host is the request's authority: the gateway routes on it and sets
	// its own for the upstream.
	Host
	// Trusted fields are set or verified by the gateway alone: the claims
	// header, X-Forwarded-For/Host/Proto, Forwarded, X-Request-Id,
	// Gantry-Timeout, traceparent and tracestate. A client's (or an
	// upstream's) are never relayed; the gateway writes its own.
	Trusted
	// Guarded fields are read by the gateway for its own decisions
	// (Authorization, Idempotency-Key, Accept, Accept-Version, Origin)
	// and forwarded by their own rules. Connection cannot remove them.
	Guarded
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Framing:
		return "framing"
	case Hop:
		return "hop-by-hop"
	case Host:
		return "host"
	case Trusted:
		return "trusted"
	case Guarded:
		return "guarded"
	}
	return "other"
}

// Nominable reports whether a Connection header may name a field of kind
// k, and so remove it. Only Other and Hop fields may be named: a message
// whose Connection names framing, Host, a trusted or a guarded field is
// ambiguous (a hop that honours it and one that does not see different
// messages) and is refused.
func (k Kind) Nominable() bool { return k == Other || k == Hop }

// ClaimsHeader is the header the gateway forwards verified JWT claims in.
const ClaimsHeader = "X-Gantry-Claims"

// names maps each classified field name, lower case, to its kind.
var names = map[string]Kind{
	"content-length":      Framing,
	"transfer-encoding":   Framing,
	"connection":          Hop,
	"keep-alive":          Hop,
	"proxy-connection":    Hop,
	"proxy-authenticate":  Hop,
	"proxy-authorization": Hop,
	"te":                  Hop,
	"trailer":             Hop,
	"upgrade":             Hop,
	"http2-settings":      Hop,
	"expect":              Hop,
	"host":                Host,
	"x-gantry-claims":     Trusted,
	"x-forwarded-for":     Trusted,
	"x-forwarded-host":    Trusted,
	"x-forwarded-proto":   Trusted,
	"forwarded":           Trusted,
	"x-request-id":        Trusted,
	"gantry-timeout":      Trusted,
	"traceparent":         Trusted,
	"tracestate":          Trusted,
	"authorization":       Guarded,
	"idempotency-key":     Guarded,
	"accept":              Guarded,
	"accept-version":      Guarded,
	"origin":              Guarded,
}

// maxName is the longest classified name: longer names are Other.
const maxName = len("proxy-authorization")

// Classify returns the kind of the field named name, in any case. It does
// not allocate.
func Classify(name []byte) Kind {
	if len(name) > maxName || len(name) < 2 {
		return Other
	}
	var low [maxName]byte
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	return names[string(low[:len(name)])] // no allocation: a map index by a converted slice
}

// ClassifyString is Classify for a string name.
func ClassifyString(name string) Kind {
	if len(name) > maxName || len(name) < 2 {
		return Other
	}
	var low [maxName]byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	return names[string(low[:len(name)])]
}

// ForwardRequestField reports whether a client's request field of kind k
// goes to the upstream as the client sent it. nominated says that the
// request's Connection header names it. Guarded fields pass, but for
// Authorization when dropToken is set: a jwt route keeps the verified
// token at the edge unless its service asks for it.
func ForwardRequestField(k Kind, nominated bool, name string, dropToken bool) bool {
	switch k {
	case Other:
		return !nominated
	case Guarded:
		return !dropToken || !equalFold(name, "authorization")
	}
	return false
}

// ForwardResponseField reports whether an upstream's response field of
// kind k goes to the client. Framing and hop-by-hop fields are the
// gateway's to write; of the trusted fields, X-Request-Id is replaced by
// the gateway's own, and the others mean nothing to a client but pass
// (tracing headers an upstream returns, say). Connection-nominated fields
// are dropped.
func ForwardResponseField(k Kind, nominated bool, name string) bool {
	switch k {
	case Framing, Hop:
		return false
	case Trusted:
		return !equalFold(name, "x-request-id")
	}
	return !nominated
}

// equalFold reports whether s equals the lower-case ASCII t, ignoring
// case.
func equalFold(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != t[i] {
			return false
		}
	}
	return true
}
