package conformance

import "time"

const (
	refResp    = "RFC 9112 §6.3; HTTP Garden response findings"
	refPooling = "Gantry issue 15, finding 2 (pooled connections with unread bytes)"
	// foreign is a complete answer an upstream sends where none was asked
	// for: a front that reads it as the next request's answer hands it to
	// another client (the probe sees X-Echo-Id FOREIGN).
	foreign = "HTTP/1.1 200 OK\r\nX-Echo-Id: FOREIGN\r\nContent-Length: 7\r\n\r\nforeign"
)

// scripted: the client asks /script/{name} (with method), the script
// upstream answers with steps, and the client must get want.
func scripted(name, class, ref, method string, want []string, steps ...Step) Vector {
	return Vector{Name: name, Class: class, Ref: ref, Want: want, Script: steps,
		Send: method + " /script/{name} HTTP/1.1\r\n" + host + "X-Id: v\r\n" + bodyFor(method) + "\r\n" + bodyOf(method)}
}

func bodyFor(method string) string {
	if method == "POST" {
		return "Content-Length: 5\r\n"
	}
	return ""
}

func bodyOf(method string) string {
	if method == "POST" {
		return "hello"
	}
	return ""
}

// bad: an answer no front may relay: 502, or, when the fault is in the
// body and the head went out, the client's answer is cut.
func bad(name, ref, method, answer string) Vector {
	return scripted(name, "response", ref, method, []string{"502|cut"}, Step{Write: answer})
}

func w(s string) Step { return Step{Write: s} }

var responseVectors = []Vector{
	scripted("resp-ok", "response", refResp, "GET", []string{"200"}, w("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")),
	scripted("resp-chunked-ext-trailers", "response", refResp, "GET", []string{"200"},
		w("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nContent-Length: 99\r\nX-Sum: 1\r\n\r\n")),
	scripted("resp-until-close", "response", refResp, "GET", []string{"200"}, w("HTTP/1.1 200 OK\r\n\r\nhello"), Step{Close: true}),
	bad("resp-cl-plus", refResp, "GET", "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello"+foreign),
	weaker(bad("resp-cl-dup-differ", refResp, "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 12\r\n\r\nhello"+foreign), "nginx 1.22 relays an answer with two different Content-Length fields (1.23 refuses it)"),
	{Name: "resp-cl-dup-same", Class: "response", Ref: refResp, Want: []string{"502"}, Nginx: []string{"200|502"},
		Send: "GET /script/{name} HTTP/1.1\r\n" + host + "\r\n", Script: []Step{w("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello")}},
	bad("resp-cl-list", refResp, "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello"),
	bad("resp-cl-space-before-colon", refResp, "GET", "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello"+foreign),
	{Name: "resp-te-cl", Class: "response", Ref: refResp, Want: []string{"502"}, Nginx: []string{"200|502"},
		Send:   "GET /script/{name} HTTP/1.1\r\n" + host + "\r\n",
		Script: []Step{w("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n")}},
	bad("resp-te-gzip", refResp, "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nhello"),
	weaker(bad("resp-te-http10", refResp, "GET", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), "nginx relays Transfer-Encoding in an HTTP/1.0 answer"),
	bad("resp-chunk-leading-space", refFunky, "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n"+foreign),
	weaker(bad("resp-chunk-bare-lf", refGoChunk, "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n"+foreign), "nginx reads a bare LF after a chunk size"),
	bad("resp-chunk-overrun", refFunky, "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n"),
	{Name: "resp-conn-names-cl", Class: "response", Ref: refIssue15, Want: []string{"502"}, Nginx: []string{"200"},
		Send:   "GET /script/{name} HTTP/1.1\r\n" + host + "\r\n",
		Script: []Step{w("HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 5\r\n\r\nhello" + foreign)}},
	bad("resp-obs-fold", refResp, "GET", "HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\nContent-Length: 5\r\n\r\nhello"),
	{Name: "resp-bare-lf", Class: "response", Ref: refGarden, Want: []string{"502"}, Nginx: []string{"200"},
		Send: "GET /script/{name} HTTP/1.1\r\n" + host + "\r\n", Script: []Step{w("HTTP/1.1 200 OK\nContent-Length: 5\n\nhello")}},
	bad("resp-nul-value", refGarden, "GET", "HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 5\r\n\r\nhello"),
	weaker(bad("resp-status-099", refResp, "GET", "HTTP/1.1 099 Odd\r\nContent-Length: 5\r\n\r\nhello"), "nginx relays a status below 100"),
	bad("resp-status-two-digits", refResp, "GET", "HTTP/1.1 20 OK\r\nContent-Length: 5\r\n\r\nhello"),
	weaker(bad("resp-101-unasked", refH2C, "GET", "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"+foreign), "nginx relays a 101 nobody asked for: a tunnel past its routing"),
	bad("resp-1xx-with-length", refResp, "GET", "HTTP/1.1 100 Continue\r\nContent-Length: 7\r\n\r\nforeignHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
	nginxOK(scripted("resp-1xx-then-ok", "response", refResp, "GET", []string{"200"},
		w("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")), "502|cut"), // nginx 1.22 takes no 1xx from upstreams
	{Name: "resp-204-cl", Class: "response", Ref: refResp, Want: []string{"502"}, Nginx: []string{"204|502"},
		Send: "GET /script/{name} HTTP/1.1\r\n" + host + "\r\n", Script: []Step{w("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello" + foreign)}},
	scripted("resp-early-close", "pooling", refPooling, "GET", []string{"cut"}, w("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nhello"), Step{Close: true}),
	scripted("resp-head-body", "pooling", refPooling, "HEAD", []string{"HEAD 200"}, w("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"+foreign)),
	{Name: "resp-head-body-late", Class: "pooling", Ref: refPooling, Late: true, Want: []string{"HEAD 200"},
		Send:   "HEAD /script/{name} HTTP/1.1\r\n" + host + "\r\n",
		Script: []Step{{Write: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", Sleep: 50 * time.Millisecond}, w("hello" + foreign)}},
	scripted("resp-204-body", "pooling", refPooling, "GET", []string{"204"}, w("HTTP/1.1 204 No Content\r\n\r\n"+foreign)),
	scripted("resp-304-body", "pooling", refPooling, "GET", []string{"304"}, w("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello"+foreign)),
	scripted("resp-surplus", "pooling", refPooling, "GET", []string{"200"}, w("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"+foreign)),
	scripted("resp-surplus-chunked", "pooling", refPooling, "GET", []string{"200"},
		w("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"+foreign)),
	{Name: "resp-unsolicited-late", Class: "pooling", Ref: refPooling, Late: true, Want: []string{"200"},
		Send:   "GET /script/{name} HTTP/1.1\r\n" + host + "\r\n",
		Script: []Step{{Write: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", Sleep: 50 * time.Millisecond}, w(foreign)}},
	// The same faults on requests with a body, which net/http's Transport
	// carries instead of the gateway's own HTTP/1.1 client.
	scripted("resp-surplus-post", "pooling", refPooling, "POST", []string{"200"}, w("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"+foreign)),
	scripted("resp-204-body-post", "pooling", refPooling, "POST", []string{"204"}, w("HTTP/1.1 204 No Content\r\n\r\n"+foreign)),
	{Name: "resp-unsolicited-late-post", Class: "pooling", Ref: refPooling, Late: true, Want: []string{"200"},
		Send:   "POST /script/{name} HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nhello",
		Script: []Step{{Write: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", Sleep: 50 * time.Millisecond}, w(foreign)}},
	bad("resp-cl-plus-post", refResp, "POST", "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello"+foreign),
	{Name: "resp-conn-names-cl-post", Class: "response", Ref: refIssue15, Want: []string{"502"}, Nginx: []string{"200"},
		Send:   "POST /script/{name} HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nhello",
		Script: []Step{w("HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 5\r\n\r\nhello" + foreign)}},
	weaker(bad("resp-101-unasked-post", refH2C, "POST", "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"+foreign), "nginx relays a 101 nobody asked for: a tunnel past its routing"),
}
