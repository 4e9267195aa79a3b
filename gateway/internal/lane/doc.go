// Package lane is the gateway's fast lane: a hand-written HTTP/1.1 server
// and client for the common case, in front of the gateway's net/http
// server. Listen wraps a net.Listener; the lane reads each connection's
// requests itself and hands a connection to net/http (through the
// Listener's Accept), unread bytes included, at the first request it does
// not take. What the lane takes, the gateway routes, admits and balances
// through the Gateway interface; each upstream attempt is one
// Request.Exchange.
//
// # What the lane takes
//
// Plain HTTP/1.1 requests: GET, HEAD and DELETE without a body, POST, PUT
// and PATCH with a Content-Length body that fits with the head in the 8 KiB
// read buffer; one valid Host; an origin-form target whose path holds only
// unreserved characters, sub-delimiters but ';', ':', '@' and '/', and has
// no empty, "." or ".." segment (so there is nothing to decode or clean:
// the path the gateway matches is the one the upstream receives); every
// line ending in CRLF, field names that are tokens directly followed by a
// colon, values without control bytes. Expect, Upgrade, Transfer-Encoding
// (without Content-Length), HTTP/1.0, other methods and anything it does
// not parse go to net/http with the connection.
//
// # Design rules
//
//   - The lane writes the framing of every message it forwards itself: the
//     upstream request's Host and Content-Length, the answer's
//     Content-Length, Transfer-Encoding: chunked (each chunk's size line
//     written anew, extensions dropped) or Connection: close. It never
//     passes on a client's or an upstream's framing fields.
//   - A Connection field can only name away end-to-end fields the gateway
//     has no use for: never the framing, Host, or a field the gateway reads,
//     sets or verifies (Authorization, Accept, Accept-Version,
//     Idempotency-Key, X-Request-Id, trace context, forwarding, claims,
//     timeout). The gateway's own fields always replace a client's copies.
//   - Ambiguous framing is refused, never relayed: a request with
//     Content-Length and Transfer-Encoding, several Content-Length fields,
//     or one that is not a plain number gets 400 and the connection is
//     closed (RFC 9112 section 6.3). An answer with both, a transfer coding
//     but "chunked", a signed or listed length, a chunk size line with
//     whitespace or a sign, or a malformed trailer is a 502 (before its
//     head was sent) or a cut connection (after).
//   - An upstream connection goes back to the pool only after a message that
//     ended exactly where its framing said, with nothing read past it (a
//     body on HEAD, 204 or 304, or longer than its Content-Length); it is
//     checked again for unsolicited bytes before reuse. Anything else
//     closes it.
//   - The lane reads the client's socket again as soon as an answer is
//     written: a pipelined request, or the client's FIN, that came while it
//     waited on the upstream is seen at once. While it waits, it looks
//     whether the client hung up every 250 ms (Linux).
//
// # Portability
//
// On Linux the sockets are read and written with raw system calls through
// syscall.RawConn (sys_linux.go). Elsewhere the lane uses plain net.Conn
// reads and writes (sys_other.go): it cannot look at a socket without
// reading it, so it does not pool upstream connections and notices a
// client that hung up only when it writes the answer.
package lane
