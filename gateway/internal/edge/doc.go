// Package edge is the gateway's one policy for HTTP/1.x messages at the
// edge, shared by both fronts: the net/http front (Gateway.ServeHTTP
// behind net/http's server) and the fast lane, which parses raw bytes. It
// decides on field names, values and raw heads, never on http.Header, so
// that a front working on bytes and one working on net/http's types apply
// the same rules and a fix lands once.
//
// The rules:
//
//   - The gateway writes the framing of every message it forwards itself.
//     Content-Length and Transfer-Encoding are read, checked (Admit,
//     CheckResponse, BodyScanner) and never relayed (Kind Framing).
//   - A request with both Content-Length and Transfer-Encoding, a transfer
//     coding other than one "chunked", Transfer-Encoding in HTTP/1.0,
//     several or malformed Content-Length fields, a missing, repeated or
//     malformed Host, a Host that differs from an absolute-form target's
//     authority, an expectation other than 100-continue: refused (Admit),
//     and the connection closed after the answer.
//   - A head with a bare LF or bare CR, a folded line, whitespace before a
//     colon, a field name that is not a token, or a control byte in a
//     value is refused (ScanHead, Head.Parse); so is a chunk-size line
//     with anything but hex digits and well-formed extensions
//     (ParseChunkSize), and chunk data not followed by CRLF.
//   - Connection can name only end-to-end (Other) and hop-by-hop fields: a
//     message whose Connection names framing, Host, a trusted or a guarded
//     field is refused (Kind.Nominable), since the hops before and after
//     the gateway would read it differently.
//   - Hop-by-hop fields are dropped (Kind Hop). Upgrade is dropped too,
//     except a well-formed WebSocket upgrade (Request.WebSocket) on a
//     route that allows it.
//   - Trusted fields (the claims header, X-Forwarded-*, Forwarded,
//     X-Request-Id, Gantry-Timeout, traceparent, tracestate) are the
//     gateway's: a client's are never relayed (ForwardRequestField), and
//     no request trailer is relayed at all.
//   - Routes match on one normalised path, the same one the upstream
//     receives (NormalizePath, EscapePath).
//   - An upstream response that could be read two ways is refused
//     (CheckResponse), and an upstream connection with unread bytes after
//     a response is closed, never pooled.
package edge
