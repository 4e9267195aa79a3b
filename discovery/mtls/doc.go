// Package mtls builds the TLS settings for service-to-service calls with
// mutual authentication, so services can run mTLS without a mesh: each
// side presents a certificate signed by a CA the other side trusts.
//
// A [Config] names PEM files: the CA bundle that signs the peers'
// certificates, and this side's certificate and key. [Config.Client] gives
// the *tls.Config for an http.Transport (or grpc credentials), and
// [Config.Server] the one for a listener, which refuses any client that
// does not present a certificate signed by the CA: the handshake fails and
// the client sees a TLS alert (bad or missing certificate), before any
// request is read.
//
// The name checked on the server's certificate is Config.ServerName when
// set, else the host the client dials. Discovered instances are usually
// dialed by IP: give their certificates an IP SAN, or a DNS SAN and the
// name through ServerName, or per instance through [ServerName], which
// reads the instance's "tls_server_name" metadata.
//
// Files are read once, when Client or Server is called; rebuild the config
// (or restart) to pick up rotated certificates.
package mtls
