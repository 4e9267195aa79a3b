package kit

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// otlpHTTP is an otlptrace.Client that sends OTLP/HTTP with a protobuf
// body. OTel's own otlptracehttp is not used because it imports grpc-go
// (open-telemetry/opentelemetry-go#2579), which an HTTP-only service would
// then link; the span conversion, batching and lifecycle stay OTel's
// (otlptrace.Exporter). It reads the exporter's OTEL_EXPORTER_OTLP_[TRACES_]*
// variables through getenv: HEADERS, TIMEOUT (ms, default 10000),
// COMPRESSION (gzip or none), CERTIFICATE, CLIENT_CERTIFICATE and
// CLIENT_KEY. A 429, 502, 503 or 504 answer is retried with back-off
// (honouring Retry-After) until the export's context ends or a minute has
// passed.
type otlpHTTP struct {
	url     string
	headers http.Header
	gzip    bool
	timeout time.Duration
	client  *http.Client
}

// The back-off of a retried export, as OTel's own exporters default it.
const (
	otlpRetryFirst   = 5 * time.Second
	otlpRetryMax     = 30 * time.Second
	otlpRetryElapsed = time.Minute
	otlpMaxResponse  = 64 << 10
)

// newOTLPHTTP returns the exporter posting to url (the traces endpoint).
func newOTLPHTTP(ctx context.Context, url string, getenv func(string) string) (*otlptrace.Exporter, error) {
	c, err := newOTLPHTTPClient(url, getenv)
	if err != nil {
		return nil, err
	}
	return otlptrace.New(ctx, c)
}

func newOTLPHTTPClient(url string, getenv func(string) string) (*otlpHTTP, error) {
	env := func(name string) (string, string) {
		if v := getenv("OTEL_EXPORTER_OTLP_TRACES_" + name); v != "" {
			return "OTEL_EXPORTER_OTLP_TRACES_" + name, v
		}
		return "OTEL_EXPORTER_OTLP_" + name, getenv("OTEL_EXPORTER_OTLP_" + name)
	}
	c := &otlpHTTP{url: url, headers: http.Header{}, timeout: 10 * time.Second}
	if key, v := env("HEADERS"); v != "" {
		if err := parseOTLPHeaders(c.headers, v); err != nil {
			return nil, fmt.Errorf("kit: %s: %w", key, err)
		}
	}
	if key, v := env("TIMEOUT"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms <= 0 {
			return nil, fmt.Errorf("kit: %s: got %q, want a positive number of milliseconds", key, v)
		}
		c.timeout = time.Duration(ms) * time.Millisecond
	}
	switch key, v := env("COMPRESSION"); v {
	case "", "none":
	case "gzip":
		c.gzip = true
	default:
		return nil, fmt.Errorf("kit: %s: got %q, want gzip or none", key, v)
	}
	tlsConf, err := otlpTLS(env)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsConf
	c.client = &http.Client{Transport: tr}
	return c, nil
}

// parseOTLPHeaders reads the W3C-baggage-like list "k1=v1,k2=v2" of the
// OTLP exporter specification; values are percent-decoded.
func parseOTLPHeaders(h http.Header, list string) error {
	for pair := range strings.SplitSeq(list, ",") {
		k, v, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return fmt.Errorf("got %q, want key=value pairs separated by commas", pair)
		}
		dv, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("header %s: %w", k, err)
		}
		h.Set(k, dv)
	}
	return nil
}

// otlpTLS builds the client TLS configuration from the CERTIFICATE (CA
// bundle), CLIENT_CERTIFICATE and CLIENT_KEY files, or returns nil (the
// system roots) when none is set.
func otlpTLS(env func(string) (string, string)) (*tls.Config, error) {
	caKey, ca := env("CERTIFICATE")
	certKey, cert := env("CLIENT_CERTIFICATE")
	keyKey, key := env("CLIENT_KEY")
	if ca == "" && cert == "" && key == "" {
		return nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("kit: %s: %w", caKey, err)
		}
		conf.RootCAs = x509.NewCertPool()
		if !conf.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kit: %s: no PEM certificate in %s", caKey, ca)
		}
	}
	if (cert == "") != (key == "") {
		return nil, fmt.Errorf("kit: set both %s and %s, or neither", certKey, keyKey)
	}
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("kit: %s, %s: %w", certKey, keyKey, err)
		}
		conf.Certificates = []tls.Certificate{pair}
	}
	return conf, nil
}

func (c *otlpHTTP) Start(context.Context) error { return nil }

func (c *otlpHTTP) Stop(context.Context) error {
	c.client.CloseIdleConnections()
	return nil
}

// UploadTraces posts one ExportTraceServiceRequest and retries it while
// the collector answers that it is busy.
func (c *otlpHTTP) UploadTraces(ctx context.Context, spans []*tracepb.ResourceSpans) error {
	body, err := marshalTraceRequest(spans)
	if err != nil {
		return err
	}
	if c.gzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(body) // a bytes.Buffer does not fail
		_ = zw.Close()
		body = buf.Bytes()
	}
	deadline := time.Now().Add(otlpRetryElapsed)
	wait := otlpRetryFirst
	for {
		retryAfter, err := c.post(ctx, body)
		var busy *otlpBusyError
		if !errors.As(err, &busy) {
			return err
		}
		if retryAfter < 0 {
			retryAfter = wait
			wait = min(2*wait, otlpRetryMax)
		}
		if time.Now().Add(retryAfter).After(deadline) {
			return err
		}
		t := time.NewTimer(retryAfter)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
}

// otlpBusyError is an answer worth retrying.
type otlpBusyError struct{ status string }

func (e *otlpBusyError) Error() string { return "kit: OTLP collector busy: " + e.status }

// post sends body once. On a retryable answer it returns an
// *otlpBusyError and the server's Retry-After (-1 when it gave none).
func (c *otlpHTTP) post(parent context.Context, body []byte) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(parent, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("kit: OTLP endpoint: %w", err)
	}
	for k, v := range c.headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("User-Agent", "gantry-otlp/"+otlptrace.Version())
	if c.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() && parent.Err() == nil {
			return -1, &otlpBusyError{err.Error()}
		}
		return 0, fmt.Errorf("kit: OTLP export: %w", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, otlpMaxResponse))
	switch code := resp.StatusCode; {
	case code >= 200 && code <= 299:
		return 0, partialSuccess(data)
	case code == http.StatusTooManyRequests, code == http.StatusBadGateway,
		code == http.StatusServiceUnavailable, code == http.StatusGatewayTimeout:
		after := time.Duration(-1)
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			after = time.Duration(s) * time.Second
		}
		return after, &otlpBusyError{resp.Status}
	default:
		return 0, fmt.Errorf("kit: OTLP export to %s: %s: %s", c.url, resp.Status, bytes.TrimSpace(data))
	}
}

// marshalTraceRequest encodes ExportTraceServiceRequest, whose only field
// is repeated ResourceSpans resource_spans = 1 (the message itself lives in
// a package that imports grpc-go).
func marshalTraceRequest(spans []*tracepb.ResourceSpans) ([]byte, error) {
	var b []byte
	for _, rs := range spans {
		m, err := proto.Marshal(rs)
		if err != nil {
			return nil, fmt.Errorf("kit: OTLP encoding: %w", err)
		}
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, m)
	}
	return b, nil
}

// partialSuccess reads ExportTraceServiceResponse's partial_success (field
// 1: rejected_spans = 1, error_message = 2) and reports rejected spans as
// an error. An unreadable body is not an error: the spans were accepted.
func partialSuccess(data []byte) error {
	var rejected uint64
	var msg string
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return nil
		}
		data = data[n:]
		if num != 1 || typ != protowire.BytesType {
			if n = protowire.ConsumeFieldValue(num, typ, data); n < 0 {
				return nil
			}
			data = data[n:]
			continue
		}
		ps, n := protowire.ConsumeBytes(data)
		if n < 0 {
			return nil
		}
		data = data[n:]
		for len(ps) > 0 {
			num, typ, n := protowire.ConsumeTag(ps)
			if n < 0 {
				return nil
			}
			ps = ps[n:]
			switch {
			case num == 1 && typ == protowire.VarintType:
				rejected, n = protowire.ConsumeVarint(ps)
			case num == 2 && typ == protowire.BytesType:
				var s []byte
				s, n = protowire.ConsumeBytes(ps)
				msg = string(s)
			default:
				n = protowire.ConsumeFieldValue(num, typ, ps)
			}
			if n < 0 {
				return nil
			}
			ps = ps[n:]
		}
	}
	if rejected == 0 && msg == "" {
		return nil
	}
	return fmt.Errorf("kit: OTLP collector rejected %d spans: %s", rejected, msg)
}
