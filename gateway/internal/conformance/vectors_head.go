package conformance

const (
	refPath    = "Orange Tsai, Breaking Parser Logic (2018); path confusion advisories (Traefik, Envoy)"
	refVersion = "RFC 9112 §2.3, §3"
	refHost    = "RFC 9112 §3.2; Host confusion (Kettle 2017)"
)

func get(target string) string { return "GET " + target + " HTTP/1.1\r\n" + host + "\r\n" }

// protected: a target that must not reach the protected upstream path.
// The gateway refuses it (400) or answers 401; nginx normalises and
// answers 401.
func protected(name, target string) Vector {
	return Vector{Name: name, Class: "path", Ref: refPath, Send: get(target), Want: []string{"4xx"}, Up: []string{}}
}

var headVectors = []Vector{
	served("plain-get", "head", refRFC, get("/{name}"), "GET /plain-get"),
	{Name: "bare-lf-head", Class: "head", Ref: refGarden, Send: "GET /{name} HTTP/1.1\n" + host[:len(host)-2] + "\n\n",
		Want: []string{"400"}, Close: true, Up: []string{}, Nginx: []string{"200"}},
	refused("bare-lf-te-cl", "head", refGarden, "POST /{name} HTTP/1.1\r\n"+host+"X: y\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n"+smuggled),
	refused("bare-cr-value", "head", refGarden, "GET /{name} HTTP/1.1\r\n"+host+"X: a\rb\r\n\r\n"),
	refused("bare-cr-line", "head", refGarden, "GET /{name} HTTP/1.1\r"+host+"\r\n"),
	{Name: "obs-fold", Class: "head", Ref: refRFC, Send: "GET /{name} HTTP/1.1\r\n" + host + "X-A: 1\r\n  2\r\n\r\n",
		Want: []string{"400"}, Close: true, Up: []string{}, Nginx: []string{"200|400"}},
	refused("space-before-colon", "head", refRFC, "GET /{name} HTTP/1.1\r\nHost : conformance\r\n\r\n"),
	refused("nul-in-value", "head", refGarden, "GET /{name} HTTP/1.1\r\n"+host+"X: a\x00b\r\n\r\n"),
	refused("nul-in-name", "head", refGarden, "GET /{name} HTTP/1.1\r\n"+host+"X\x00: 1\r\n\r\n"),
	nginxOK(refused("bad-name", "head", refGarden, "GET /{name} HTTP/1.1\r\n"+host+"X(y): 1\r\n\r\n"), "200"),
	nginxOK(refused("no-colon", "head", refGarden, "GET /{name} HTTP/1.1\r\n"+host+"NoColon\r\n\r\n"), "200"),
	refused("empty-name", "head", refGarden, "GET /{name} HTTP/1.1\r\n"+host+": x\r\n\r\n"),
	{Name: "http10", Class: "version", Ref: refVersion, Send: "GET /{name} HTTP/1.0\r\n\r\n", Want: []string{"200"}, Close: true, Up: []string{"GET /http10"}},
	{Name: "http10-keep-alive", Class: "version", Ref: refVersion, Send: "GET /{name} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", Want: []string{"200"}, Up: []string{"GET /http10-keep-alive"}},
	{Name: "http09", Class: "version", Ref: refVersion, Send: "GET /{name}\r\n\r\n", Want: []string{"400|cut"}, Close: true, Up: []string{},
		Nginx: []string{"400|cut"}}, // nginx answers HTTP/0.9, without a status line
	refused("http20-line", "version", refVersion, "GET /{name} HTTP/2.0\r\n"+host+"\r\n", "400|505"),
	{Name: "http12-line", Class: "version", Ref: refVersion, Send: "GET /{name} HTTP/1.2\r\n" + host + "\r\n",
		Want: []string{"400|505"}, Close: true, Up: []string{}, Nginx: []string{"200"}},
	refused("lower-case-version", "version", refVersion, "GET /{name} http/1.1\r\n"+host+"\r\n"),
	nginxOK(refused("double-space", "version", refVersion, "GET  /{name} HTTP/1.1\r\n"+host+"\r\n"), "200"),
	refused("tab-separated", "version", refVersion, "GET\t/{name}\tHTTP/1.1\r\n"+host+"\r\n"),
	{Name: "empty-line-after-post", Class: "head", Ref: refRFC, Send: post(cl("hello"), "hello") + "\r\n" + get("/{name}/next"),
		Want: []string{"200", "200|400"}, Up: []string{"POST /empty-line-after-post hello", "GET /empty-line-after-post/next"}},
	{Name: "expect-continue", Class: "expect", Ref: refRFC, Send: post("Expect: 100-continue\r\nContent-Length: 5\r\n", "hello"),
		Want: []string{"200"}, Up: []string{"POST /expect-continue hello"}},
	{Name: "expect-other", Class: "expect", Ref: refRFC, Send: post("Expect: 200-ok\r\nContent-Length: 5\r\n", "hello"),
		Want: []string{"417"}, Close: true, Up: []string{}, Nginx: []string{"200|417"}},
	{Name: "lower-case-method", Class: "head", Ref: refGarden, Send: "get /{name} HTTP/1.1\r\n" + host + "\r\n",
		Want: []string{"200|400|405"}, Nginx: []string{"400"}},
	{Name: "pipelined", Class: "pipeline", Ref: refRFC, Send: get("/{name}/1") + get("/{name}/2") + get("/{name}/3"),
		Want: []string{"200", "200", "200"}, Up: []string{"GET /pipelined/1", "GET /pipelined/2", "GET /pipelined/3"}},
	{Name: "pipelined-bodies", Class: "pipeline", Ref: refRFC,
		Send: post(cl("hello"), "hello") + chunked("3\r\nabc\r\n0\r\n\r\n") + get("/{name}/last"),
		Want: []string{"200", "200", "200"}, Up: []string{"POST /pipelined-bodies hello", "POST /pipelined-bodies abc", "GET /pipelined-bodies/last"}},
	refused("pipelined-after-refusal", "pipeline", refRFC, "GET /{name} HTTP/1.1\r\n"+host+"X: a\x00\r\n\r\n"+get("/{name}/second")),
	{Name: "pipelined-after-close", Class: "pipeline", Ref: refRFC,
		Send: "GET /{name}/1 HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n" + get("/{name}/2"),
		Want: []string{"200"}, Close: true, Up: []string{"GET /pipelined-after-close/1"}},
	{Name: "options-asterisk", Class: "target", Ref: refRFC, Send: "OPTIONS * HTTP/1.1\r\n" + host + "\r\n", Want: []string{"2xx|4xx"}, Up: []string{}},
	{Name: "connect", Class: "target", Ref: refRFC, Send: "CONNECT conformance:80 HTTP/1.1\r\nHost: conformance:80\r\n\r\n",
		Want: []string{"400|405"}, Close: true, Up: []string{}, Nginx: []string{"4xx"}},
}

var targetVectors = []Vector{
	protected("private-baseline", "/private/x"),
	protected("dotdot", "/public/../private/x"),
	protected("dotdot-encoded", "/public/%2e%2e/private/x"),
	protected("dotdot-encoded-upper", "/public/%2E%2E/private/x"),
	protected("dotdot-half-encoded", "/public/.%2e/private/x"),
	protected("dot-segment", "/./private/x"),
	protected("dot-encoded", "/%2e/private/x"),
	protected("encoded-slash", "/public%2f..%2fprivate/x"),
	protected("encoded-slash-dotdot", "/public/..%2fprivate/x"),
	weaker(protected("backslash", "/public\\..\\private/x"), "nginx passes a backslash through: an upstream that reads it as a slash serves the protected path"),
	weaker(protected("encoded-backslash", "/public%5c..%5cprivate/x"), "nginx passes %5C through: an upstream that decodes it and reads it as a slash serves the protected path"),
	protected("semicolon", "/private;x/y"),
	protected("semicolon-traversal", "/public;/../private/x"),
	protected("encoded-semicolon", "/private%3bx/y"),
	protected("nul", "/private%00/x"),
	protected("nul-traversal", "/public%00/../private/x"),
	protected("trailing-space", "/private%20/x"),
	protected("trailing-tab", "/private%09/x"),
	weaker(protected("leading-space", "/%20private/x"), "nginx passes a segment starting with %20: an upstream that trims segments serves the protected path"),
	protected("double-slash", "//private/x"),
	protected("encoded-letter", "/%70rivate/x"),
	nginxOK(protected("double-encoded", "/public/%252e%252e/private/x"), "200"),
	protected("absolute-traversal", "http://conformance/public/../private/x"),
	{Name: "absolute-form", Class: "target", Ref: refHost, Send: get("http://conformance/{name}"), Want: []string{"200"}, Up: []string{"GET /absolute-form"}},
	{Name: "absolute-form-private", Class: "target", Ref: refHost, Send: get("http://conformance/private/x"), Want: []string{"4xx"}, Up: []string{}},
	{Name: "absolute-host-conflict", Class: "host", Ref: refHost, Send: "GET http://other.example/{name} HTTP/1.1\r\n" + host + "\r\n",
		Want: []string{"400"}, Close: true, Up: []string{}, Nginx: []string{"200"}},
	{Name: "absolute-userinfo", Class: "host", Ref: refHost, Send: get("http://user@conformance/{name}"),
		Want: []string{"400"}, Close: true, Up: []string{}, Nginx: []string{"200|400"}},
	refused("host-missing", "host", refHost, "GET /{name} HTTP/1.1\r\n\r\n"),
	refused("host-twice", "host", refHost, "GET /{name} HTTP/1.1\r\n"+host+"Host: other.example\r\n\r\n"),
	refused("host-space", "host", refHost, "GET /{name} HTTP/1.1\r\nHost: a b\r\n\r\n"),
	nginxOK(refused("host-userinfo", "host", refHost, "GET /{name} HTTP/1.1\r\nHost: evil@conformance\r\n\r\n"), "200"),
	refused("host-path", "host", refHost, "GET /{name} HTTP/1.1\r\nHost: conformance/private\r\n\r\n"),
	{Name: "fragment", Class: "target", Ref: refGarden, Send: get("/{name}#x"), Want: []string{"400"}, Close: true, Up: []string{}, Nginx: []string{"200|400"}},
	refused("asterisk-get", "target", refRFC, get("*")),
	refused("bad-percent", "path", refPath, get("/{name}/%zz")),
	{Name: "raw-utf8", Class: "path", Ref: refPath, Send: get("/{name}/caf\xc3\xa9"), Want: []string{"400"}, Close: true, Up: []string{}, Nginx: []string{"200"}},
	served("query-traversal", "path", refPath, get("/{name}?next=/../private/x"), "GET /query-traversal?next=/../private/x"),
	nginxOK(served("private-prefix-only", "path", refPath, get("/privatex"), "GET /privatex"), "401"), // nginx's location /private is a string prefix
}
