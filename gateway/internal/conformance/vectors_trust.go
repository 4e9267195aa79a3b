package conformance

const (
	refTrust   = "hop-by-hop abuse (Mathieu 2019); X-Forwarded-For spoofing"
	refIssue15 = "Gantry issue 15, finding 1 (Connection naming Content-Length)"
	refH2C     = "h2c smuggling (Bishop Fox 2020); Traefik GHSA-w4v4-9rw7-5326 (2026)"
	refWS      = "WebSocket smuggling (Mikhail Egorov 2019)"
	wsOffer    = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	h2cOffer   = "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
)

// trusted: a request carrying a forged trusted field is served, and the
// forged value never reaches the upstream.
func trusted(name, fields string) Vector {
	return Vector{Name: name, Class: "trust", Ref: refTrust, Send: "GET /{name} HTTP/1.1\r\n" + host + fields + "\r\n",
		Want: []string{"200"}, Up: []string{"GET /" + name}}
}

// nominated: a request whose Connection names a field the gateway frames,
// routes on, sets or verifies. The gateway refuses it; nginx ignores
// Connection options and writes its own framing, which is as safe.
func nominated(name, send string) Vector {
	return Vector{Name: name, Class: "connection", Ref: refIssue15, Send: send, Want: []string{"400"}, Close: true, Nginx: []string{"2xx|4xx"}}
}

var trustVectors = []Vector{
	trusted("claims-header", "X-Gantry-Claims: forged\r\n"),
	trusted("claims-lower-case", "x-gantry-claims: forged\r\n"),
	trusted("claims-twice", "X-Gantry-Claims: forged\r\nX-Gantry-Claims: forged-again\r\n"),
	trusted("xff", "X-Forwarded-For: forged\r\n"),
	trusted("xff-host-proto", "X-Forwarded-Host: forged\r\nX-Forwarded-Proto: forged\r\n"),
	trusted("forwarded", "Forwarded: for=forged;proto=https\r\n"),
	trusted("gantry-timeout", "Gantry-Timeout: forged\r\n"),
	trusted("proxy-authorization", "Proxy-Authorization: Basic forged\r\n"),
	trusted("keep-alive-field", "Keep-Alive: forged\r\n"),
	{Name: "claims-underscore", Class: "trust", Ref: refTrust, Send: get("/{name}")[:len(get("/{name}"))-2] + "X_Gantry_Claims: forged\r\n\r\n",
		Want: []string{"400"}, Close: true, Up: []string{}, Nginx: []string{"200"}},
	{Name: "claims-on-private", Class: "trust", Ref: refTrust, Send: get("/private/x")[:len(get("/private/x"))-2] + "X-Gantry-Claims: forged\r\n\r\n",
		Want: []string{"401"}, Up: []string{}},
	{Name: "hop-custom", Class: "connection", Ref: refTrust, Send: "GET /{name} HTTP/1.1\r\n" + host + "Connection: x-hop\r\nX-Hop: forged\r\n\r\n",
		Want: []string{"200"}, Up: []string{"GET /hop-custom"}, NginxWeaker: "nginx does not honour Connection options: it forwards the field the client named"},
	nominated("conn-content-length", post("Connection: content-length\r\nContent-Length: 5\r\n", "hello")),
	nominated("conn-close-content-length", post("Connection: close, content-length\r\nContent-Length: 5\r\n", "hello")),
	nominated("conn-keep-alive-content-length", post("Connection: keep-alive, Content-Length\r\nContent-Length: 5\r\n", "hello")),
	nominated("conn-content-length-put", "PUT /{name} HTTP/1.1\r\n"+host+"Connection: content-length\r\nContent-Length: 45\r\n\r\n"+"GET /private/x HTTP/1.1\r\nX-Gantry-Claims: x\r\n\r\n"),
	nominated("conn-content-length-patch", "PATCH /{name} HTTP/1.1\r\n"+host+"Connection: content-length\r\nContent-Length: 5\r\n\r\nhello"),
	nominated("conn-transfer-encoding", chunked("5\r\nhello\r\n0\r\n\r\n")[:len("POST /{name} HTTP/1.1\r\n"+host)]+"Connection: transfer-encoding\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
	nominated("conn-host", "GET /{name} HTTP/1.1\r\n"+host+"Connection: host\r\n\r\n"),
	nominated("conn-claims", "GET /{name} HTTP/1.1\r\n"+host+"Connection: X-Gantry-Claims\r\nX-Gantry-Claims: forged\r\n\r\n"),
	nominated("conn-xff", "GET /{name} HTTP/1.1\r\n"+host+"Connection: X-Forwarded-For\r\n\r\n"),
	nominated("conn-request-id", "GET /{name} HTTP/1.1\r\n"+host+"Connection: X-Request-Id\r\nX-Request-Id: abc\r\n\r\n"),
	nominated("conn-authorization", "GET /private/x HTTP/1.1\r\n"+host+"Connection: authorization\r\nAuthorization: Bearer x\r\n\r\n"),
	nominated("conn-idempotency-key", post("Connection: Idempotency-Key\r\nIdempotency-Key: k1\r\nContent-Length: 5\r\n", "hello")),
	{Name: "authorization-twice", Class: "trust", Ref: refTrust, Send: "GET /private/x HTTP/1.1\r\n" + host + "Authorization: Bearer a\r\nAuthorization: Bearer b\r\n\r\n",
		Want: []string{"400|401"}, Up: []string{}},
	served("trailer-claims", "trailer", refTrust, chunked("5\r\nhello\r\n0\r\nX-Gantry-Claims: forged\r\nX-Forwarded-For: forged\r\n\r\n"), "POST /trailer-claims hello"),
	served("trailer-declared", "trailer", refTrust, post("Trailer: X-Gantry-Claims\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\nX-Gantry-Claims: forged\r\n\r\n"),
		"POST /trailer-declared hello"),
	served("trailer-framing", "trailer", refTrust, chunked("5\r\nhello\r\n0\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n"), "POST /trailer-framing hello"),
}

var upgradeVectors = []Vector{
	{Name: "h2c", Class: "upgrade", Ref: refH2C, Send: "GET /{name} HTTP/1.1\r\n" + host + h2cOffer + "\r\n", Want: []string{"200"}, Up: []string{"GET /h2c"}},
	{Name: "h2c-ws-route", Class: "upgrade", Ref: refH2C, Send: "GET /ws/{name} HTTP/1.1\r\n" + host + h2cOffer + "\r\n", Want: []string{"200"}, Up: []string{"GET /ws/h2c-ws-route"}},
	{Name: "h2c-then-private", Class: "upgrade", Ref: refH2C, Send: "GET /{name} HTTP/1.1\r\n" + host + h2cOffer + "\r\n" + get("/private/x"),
		Want: []string{"200", "401"}, Up: []string{"GET /h2c-then-private"}},
	{Name: "h2c-prior-knowledge", Class: "upgrade", Ref: refH2C, Send: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Want: []string{"4xx|505|cut"}, Close: true, Up: []string{}},
	{Name: "websocket", Class: "upgrade", Ref: refWS, Send: "GET /ws/{name} HTTP/1.1\r\n" + host + wsOffer + "\r\n", Want: []string{"101"}, Tunnel: "hello through the tunnel\n"},
	{Name: "websocket-public-route", Class: "upgrade", Ref: refWS, Send: "GET /{name} HTTP/1.1\r\n" + host + wsOffer + "\r\n",
		Want: []string{"200"}, Close: true, Up: []string{"GET /websocket-public-route"}},
	{Name: "websocket-refused-then-private", Class: "upgrade", Ref: refWS,
		Send: "GET /ws/{name} HTTP/1.1\r\n" + host + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n" + get("/private/x"),
		Want: []string{"426"}, Close: true, Nginx: []string{"426", "401"}},
	{Name: "websocket-post", Class: "upgrade", Ref: refWS, Send: "POST /ws/{name} HTTP/1.1\r\n" + host + wsOffer + "Content-Length: 0\r\n\r\n",
		Want: []string{"200"}, Up: []string{"POST /ws/websocket-post"}, NginxWeaker: "nginx passes an upgrade offer on any method"},
	{Name: "websocket-http10", Class: "upgrade", Ref: refWS, Send: "GET /ws/{name} HTTP/1.0\r\n" + wsOffer + "\r\n",
		Want: []string{"200"}, Close: true, Up: []string{"GET /ws/websocket-http10"}, NginxWeaker: "nginx passes an upgrade offer in HTTP/1.0"},
	{Name: "upgrade-without-connection", Class: "upgrade", Ref: refWS, Send: "GET /ws/{name} HTTP/1.1\r\n" + host + "Upgrade: websocket\r\n\r\n",
		Want: []string{"200"}, Up: []string{"GET /ws/upgrade-without-connection"}, Nginx: []string{"426"}}, // nginx's route sends Connection: upgrade itself
	{Name: "upgrade-other", Class: "upgrade", Ref: refH2C, Send: "GET /ws/{name} HTTP/1.1\r\n" + host + "Upgrade: foo/1\r\nConnection: Upgrade\r\n\r\n",
		Want: []string{"200"}, Up: []string{"GET /ws/upgrade-other"}},
}
