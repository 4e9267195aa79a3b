package conformance

import "strconv"

const (
	host = "Host: conformance\r\n"
	// smuggled is a complete request hidden in a body: a front that reads
	// the body differently from the upstream sends it on as a request.
	smuggled = "GET /smuggled HTTP/1.1\r\nHost: conformance\r\n\r\n"

	refRFC         = "RFC 9112 §6.1, §6.3"
	refPortSwigger = "PortSwigger, HTTP request smuggling (Kettle 2019)"
	refFunky       = "Funky chunks (Weikop 2025), smugchunks"
	refGoChunk     = "Go CVE-2025-22871 (bare LF in chunk lines)"
	refGarden      = "HTTP Garden (Kallus et al. 2024)"
)

// cl is a Content-Length field for body.
func cl(body string) string { return "Content-Length: " + strconv.Itoa(len(body)) + "\r\n" }

// post is a POST to /{name} with the given fields, then the body.
func post(fields, body string) string {
	return "POST /{name} HTTP/1.1\r\n" + host + fields + "\r\n" + body
}

// chunked is a chunked POST to /{name} whose body is chunks.
func chunked(chunks string) string {
	return post("Transfer-Encoding: chunked\r\n", chunks)
}

// refused: the front answers 4xx (or 501, 505) and closes, and the
// upstream gets nothing.
func refused(name, class, ref, send string, want ...string) Vector {
	if len(want) == 0 {
		want = []string{"4xx|501"}
	}
	return Vector{Name: name, Class: class, Ref: ref, Send: send, Want: want, Close: true, Up: []string{}}
}

// cut: a body the front must not pass on whole. It answers 4xx or 502, or
// closes the connection, and the upstream gets no complete request (it
// may see the head and part of the body of a request the front then
// aborted).
func cut(name, class, ref, send string) Vector {
	return Vector{Name: name, Class: class, Ref: ref, Send: send, Want: []string{"4xx|502|cut"}, Close: true, Up: []string{}}
}

// served: one ordinary answer, and the upstream gets exactly up.
func served(name, class, ref, send string, up ...string) Vector {
	return Vector{Name: name, Class: class, Ref: ref, Send: send, Want: []string{"200"}, Up: up}
}

var framingVectors = []Vector{
	refused("cl-te", "CL.TE", refPortSwigger, post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"+smuggled)),
	refused("te-cl", "TE.CL", refPortSwigger, post("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", "8\r\nSMUGGLED\r\n0\r\n\r\n"+smuggled)),
	refused("cl-te-get", "CL.TE", refPortSwigger, "GET /{name} HTTP/1.1\r\n"+host+"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
	refused("cl-te-zero", "CL.TE", refRFC, post("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")),
	refused("te-dup", "TE.TE", refPortSwigger, post("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", "5\r\nhello\r\n0\r\n\r\n"), "400|501"),
	refused("te-dup-cl", "TE.TE", refPortSwigger, post("Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\nContent-Length: 4\r\n", "0\r\n\r\n"), "400|501"),
	refused("te-xchunked-cl", "TE.TE", refPortSwigger, post("Transfer-Encoding: xchunked\r\nContent-Length: 4\r\n", "0\r\n\r\n"+smuggled), "400|501"),
	refused("te-space-before-colon", "TE.TE", refPortSwigger, post("Transfer-Encoding : chunked\r\nContent-Length: 4\r\n", "0\r\n\r\n"+smuggled)),
	refused("te-tab-value-cl", "TE.TE", refPortSwigger, post("Transfer-Encoding:\tchunked\r\nContent-Length: 4\r\n", "0\r\n\r\n"+smuggled)),
	refused("te-folded-cl", "TE.TE", refPortSwigger, post("Transfer-Encoding:\r\n chunked\r\nContent-Length: 4\r\n", "0\r\n\r\n"+smuggled)),
	refused("te-leading-space-name", "TE.TE", refPortSwigger, post(" Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", "0\r\n\r\n"+smuggled)),
	refused("te-vertical-tab", "TE.TE", refGarden, post("Transfer-Encoding: chunked\x0b\r\nContent-Length: 4\r\n", "0\r\n\r\n"+smuggled)),
	refused("te-quoted-cl", "TE.TE", refPortSwigger, post("Transfer-Encoding: \"chunked\"\r\nContent-Length: 4\r\n", "0\r\n\r\n"+smuggled), "400|501"),
	refused("te-list", "TE.TE", refRFC, post("Transfer-Encoding: chunked, identity\r\n", "5\r\nhello\r\n0\r\n\r\n"), "400|501"),
	refused("te-gzip-chunked", "TE.TE", refRFC, post("Transfer-Encoding: gzip, chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"), "400|501"),
	refused("te-comma-chunked", "TE.TE", refGarden, post("Transfer-Encoding: ,chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"), "400|501"),
	refused("te-identity", "TE.TE", refGarden, post("Transfer-Encoding: identity\r\nContent-Length: 5\r\n", "hello"), "400|501"),
	refused("te-nbsp", "TE.TE", refGarden, post("Transfer-Encoding: chunked\xa0\r\nContent-Length: 4\r\n", "0\r\n\r\n"+smuggled), "400|501"),
	{Name: "te-underscore", Class: "TE.TE", Ref: refGarden, Send: post("Transfer_Encoding: chunked\r\nContent-Length: 5\r\n", "hello"),
		Want: []string{"400"}, Close: true, Up: nil, Nginx: []string{"200"}}, // nginx drops fields with "_"
	refused("te-http10", "TE.CL", refRFC, "POST /{name} HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello"),
	refused("te-http10-only", "TE.CL", refRFC, "POST /{name} HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
	refused("cl-dup-differ", "CL.CL", refRFC, post("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!")),
	refused("cl-dup-same", "CL.CL", refRFC, post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello")),
	refused("cl-list", "CL.CL", refRFC, post("Content-Length: 5, 5\r\n", "hello")),
	refused("cl-plus", "CL", refGarden, post("Content-Length: +5\r\n", "hello")),
	refused("cl-negative", "CL", refGarden, post("Content-Length: -1\r\n", "hello")),
	refused("cl-hex", "CL", refGarden, post("Content-Length: 0x5\r\n", "hello")),
	refused("cl-inner-space", "CL", refGarden, post("Content-Length: 1 0\r\n", "helloworld")),
	refused("cl-overflow", "CL", refGarden, post("Content-Length: 99999999999999999999\r\n", "hello")),
	refused("cl-empty", "CL", refGarden, post("Content-Length:\r\n", "hello")),
	served("cl-leading-zeros", "CL", refRFC, post("Content-Length: 005\r\n", "hello"), "POST /cl-leading-zeros hello"),
	{Name: "cl-ows", Class: "CL", Ref: refRFC, Send: post("Content-Length: \t5 \r\n", "hello"),
		Want: []string{"200"}, Up: []string{"POST /cl-ows hello"}, Nginx: []string{"400"}},
	served("cl-get-body", "CL", refPortSwigger, "GET /{name} HTTP/1.1\r\n"+host+cl(smuggled)+"\r\n"+smuggled,
		"GET /cl-get-body "+smuggled),
	{Name: "cl-zero-pipelined", Class: "CL", Ref: refPortSwigger,
		Send: post("Content-Length: 0\r\n", "") + "GET /{name}/next HTTP/1.1\r\n" + host + "\r\n",
		Want: []string{"200", "200"}, Up: []string{"POST /cl-zero-pipelined", "GET /cl-zero-pipelined/next"}},
	{Name: "no-framing-post", Class: "CL", Ref: refRFC, Send: post("", "hello\r\n\r\n"),
		Want: []string{"200|411", "400|cut"}, Close: true, Nginx: []string{"411|200", "400|cut"}},
}

var chunkVectors = []Vector{
	served("chunked", "chunked", refRFC, chunked("5\r\nhello\r\n0\r\n\r\n"), "POST /chunked hello"),
	served("chunked-upper-hex", "chunked", refRFC, chunked("A\r\n0123456789\r\n0\r\n\r\n"), "POST /chunked-upper-hex 0123456789"),
	served("chunked-leading-zeros", "chunked", refRFC, chunked("005\r\nhello\r\n000\r\n\r\n"), "POST /chunked-leading-zeros hello"),
	served("chunked-ext", "chunked", refRFC, chunked("5;a=b\r\nhello\r\n0;end\r\n\r\n"), "POST /chunked-ext hello"),
	served("chunked-ext-quoted", "chunked", refFunky, chunked("5;a=\"x;y\\\"z\"\r\nhello\r\n0\r\n\r\n"), "POST /chunked-ext-quoted hello"),
	nginxOK(cut("chunk-ext-bws", "chunked", refFunky, chunked("5 ;a=b\r\nhello\r\n0\r\n\r\n")), "200"),
	served("chunked-trailers", "chunked", refRFC, chunked("5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n"), "POST /chunked-trailers hello"),
	served("chunked-empty", "chunked", refRFC, chunked("0\r\n\r\n"), "POST /chunked-empty"),
	cut("chunk-size-leading-space", "chunked", refFunky, chunked(" 5\r\nhello\r\n0\r\n\r\n")),
	weaker(cut("chunk-size-trailing-space", "chunked", refFunky, chunked("5 \r\nhello\r\n0\r\n\r\n"+smuggled)), "nginx 1.22 reads this chunked body leniently and serves the bytes after it as a request of their own"),
	cut("chunk-size-0x", "chunked", refGarden, chunked("0x5\r\nhello\r\n0\r\n\r\n")),
	cut("chunk-size-plus", "chunked", refGarden, chunked("+5\r\nhello\r\n0\r\n\r\n")),
	cut("chunk-size-negative", "chunked", refGarden, chunked("-5\r\nhello\r\n0\r\n\r\n")),
	cut("chunk-size-overflow", "chunked", refGarden, chunked("10000000000000005\r\nhello\r\n0\r\n\r\n")),
	weaker(cut("chunk-size-bare-lf", "chunked", refGoChunk, chunked("5\nhello\r\n0\r\n\r\n"+smuggled)), "nginx 1.22 reads this chunked body leniently and serves the bytes after it as a request of their own"),
	cut("chunk-size-bare-cr", "chunked", refFunky, chunked("5\rhello\r\n0\r\n\r\n")),
	cut("chunk-data-bare-lf", "chunked", refFunky, chunked("2\r\nxx\n50\r\n\r\n"+smuggled+"0\r\n\r\n")),
	cut("chunk-data-any-two-bytes", "chunked", refFunky, chunked("2\r\nxxXX0\r\n\r\n"+smuggled)),
	cut("chunk-data-overrun", "chunked", refFunky, chunked("3\r\nhello\r\n0\r\n\r\n")),
	cut("chunk-ext-bare-lf", "chunked", refFunky, chunked("2;\nxx\r\n47\r\nxx\r\n0\r\n\r\n"+smuggled)),
	cut("chunk-ext-bare-cr", "chunked", refFunky, chunked("5;a\rb\r\nhello\r\n0\r\n\r\n")),
	cut("chunk-ext-quoted-lf", "chunked", refFunky, chunked("5;a=\"x\ny\"\r\nhello\r\n0\r\n\r\n")),
	nginxOK(cut("chunk-ext-no-name", "chunked", refGarden, chunked("5;=x\r\nhello\r\n0\r\n\r\n")), "200"),
	nginxOK(cut("chunk-ext-nul", "chunked", refGarden, chunked("5;a\x00\r\nhello\r\n0\r\n\r\n")), "200"),
	nginxOK(cut("chunk-ext-too-long", "chunked", refGarden, chunked("5;a="+string(make([]byte, 0))+repeat("b", 5000)+"\r\nhello\r\n0\r\n\r\n")), "200"),
	weaker(cut("trailer-bare-lf", "chunked", refFunky, chunked("2\r\nxx\r\n0\r\n\n"+smuggled)), "nginx 1.22 reads this chunked body leniently and serves the bytes after it as a request of their own"),
	nginxOK(cut("trailer-folded", "chunked", refGarden, chunked("5\r\nhello\r\n0\r\nX-A: 1\r\n 2\r\n\r\n")), "200"),
	nginxOK(cut("trailer-no-colon", "chunked", refGarden, chunked("5\r\nhello\r\n0\r\nbad trailer\r\n\r\n")), "200"),
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}

// nginxOK marks a vector nginx answers with want, as safely: it ignores
// what the gateway refuses (chunk extensions, trailer lines) and writes
// its own framing.
func nginxOK(v Vector, want ...string) Vector {
	v.Nginx = want
	return v
}

// weaker marks a vector nginx fails, for the reason given.
func weaker(v Vector, reason string) Vector {
	v.NginxWeaker = reason
	return v
}
