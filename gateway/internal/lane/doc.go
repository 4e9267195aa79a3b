// Package lane is the gateway's fast lane: a hand-written HTTP/1.1 server
// and client for the common case, in front of the gateway's net/http
// server. Listen wraps a net.Listener; the lane reads each connection's
// requests itself and hands a connection to net/http (through the
// Listener's Accept), unread bytes included, at the first request it does
// not take. What the lane takes, the gateway routes, admits and balances
// through the Gateway interface; each upstream attempt is one
// Request.Exchange.
//
// # One policy with the net/http front
//
// The lane reads every head with the gateway's one parser and admission,
// package edge (edge.ScanHead, edge.Head.Parse, edge.Admit for requests;
// edge.CheckResponse and edge.ParseChunkSize for answers), and forwards
// fields by its one policy (edge.ForwardRequestField,
// edge.ForwardResponseField): what edge refuses, the lane refuses with the
// same status and closes the connection; see edge's package doc for the
// rules. The lane then writes the framing of everything it forwards itself
// (the upstream request's Host and Content-Length; the answer's
// Content-Length, Transfer-Encoding: chunked with each chunk's size line
// written anew, or Connection: close), pools an upstream connection only
// after a message that ended exactly where its framing said with nothing
// read past it, and checks it again for unsolicited bytes before reuse.
// After writing an answer it reads the client socket at once, so a
// pipelined request or a FIN that came while it waited on the upstream is
// seen; while it waits, it looks whether the client hung up every 250 ms
// (Linux).
//
// # What the lane takes
//
// Of the requests edge admits: GET, HEAD and DELETE without a body, POST,
// PUT and PATCH with a Content-Length body that fits with the head in the
// 8 KiB read buffer; HTTP/1.1; an origin-form target whose path holds only
// unreserved characters, sub-delimiters but ';', ':', '@' and '/', and has
// no empty, "." or ".." segment (so there is nothing to decode or clean:
// the path the gateway matches is the one the upstream receives).
// Expect, Upgrade, a chunked body, HTTP/1.0, other methods, other paths
// and heads over 8 KiB go to net/http with the connection.
//
// # Portability
//
// On Linux the sockets are read and written with raw system calls through
// syscall.RawConn (sys_linux.go). Elsewhere the lane uses plain net.Conn
// reads and writes (sys_other.go): it cannot look at a socket without
// reading it, so it does not pool upstream connections and notices a
// client that hung up only when it writes the answer.
package lane
