//go:build reliability

package reliability

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/examples/grpc/pricespb"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/grpckit"
	grpct "github.com/gantrykit/gantry/transport/grpc"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// message is the typed body of the service under attack.
type message struct {
	To   string `json:"to" validate:"required,max=64"`
	Text string `json:"text" validate:"required,max=280"`
}

type sku struct{ SKU string }

// startApp runs a kit App with a typed POST endpoint behind the default
// chain and a gRPC service, and returns its HTTP base URL and gRPC address.
func startApp(t *testing.T) (string, string) {
	t.Helper()
	app := kit.New("target", kit.WithoutSignals(), kit.WithLogOutput(io.Discard), kit.WithGetenv(func(string) string { return "" }),
		kit.WithArgs([]string{"-http-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0", "-grpc-addr", "127.0.0.1:0",
			"-read-header-timeout", "1s", "-drain-delay", "0", "-max-header-bytes", "16384"}))
	send := endpoint.Wrap(func(_ context.Context, m message) (message, error) { return m, nil }, app.Middleware("send")...)
	app.HTTP().Handle("POST /v1/messages", httpt.NewServer(send, httpt.WithBodyLimit(64<<10)))
	get := endpoint.Wrap(func(_ context.Context, r sku) (*pricespb.Price, error) {
		return &pricespb.Price{Sku: r.SKU, Cents: 1}, nil
	}, app.Middleware("get_price")...)
	g, err := grpckit.NewServer(app)
	if err != nil {
		t.Fatal(err)
	}
	grpct.Register(g, &pricespb.Prices_ServiceDesc, grpct.Unary(pricespb.Prices_GetPrice_FullMethodName, get,
		func(_ context.Context, r *pricespb.GetPriceRequest) (sku, error) { return sku{r.GetSku()}, nil },
		func(_ context.Context, p *pricespb.Price) (*pricespb.Price, error) { return p, nil }))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-app.Started():
	case err := <-done:
		t.Fatalf("app: %v", err)
	}
	return "http://" + app.HTTPAddr(), g.Addr()
}

// badInputs: hostile HTTP requests, slowloris connections and an oversize
// gRPC message against a kit service. Each gets its 4xx (never a 5xx), and
// the service keeps answering good requests.
func badInputs(t *testing.T, p profile, f *fig) {
	base, grpcAddr := startApp(t)
	c := client(4)
	post := func(ctype, body string, hdr map[string]string) int {
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/messages", strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		code, _, _ := do(c, req)
		return code
	}
	good := `{"to":"ada","text":"hi"}`
	cases := []struct {
		name  string
		ctype string
		body  string
		hdr   map[string]string
		want  int
	}{
		{"good request", "application/json", good, nil, 200},
		{"malformed JSON", "application/json", `{"to": "ada", "text": `, nil, 400},
		{"wrong member type", "application/json", `{"to": 5, "text": "hi"}`, nil, 400},
		{"unknown member", "application/json", `{"to":"ada","text":"hi","admin":true}`, nil, 400},
		{"data after the value", "application/json", good + `{"x":1}`, nil, 400},
		{"empty body", "application/json", ``, nil, 400},
		{"failed validation", "application/json", `{"to":"ada","text":"` + strings.Repeat("x", 281) + `"}`, nil, 400},
		{"required member missing", "application/json", `{"text":"hi"}`, nil, 400},
		{"100k-deep nesting", "application/json", strings.Repeat("[", 100000), nil, 413},
		{"deep nesting within limit", "application/json", strings.Repeat("[", 60000), nil, 400},
		{"oversize body (1 MiB, limit 64 KiB)", "application/json", `{"to":"` + strings.Repeat("a", 1<<20) + `"}`, nil, 413},
		{"wrong content type", "text/plain", good, nil, 415},
		{"no content type", "", good, nil, 415},
		{"huge header (100 KiB)", "application/json", good, map[string]string{"X-Big": strings.Repeat("b", 100<<10)}, 431},
	}
	for _, tc := range cases {
		got := post(tc.ctype, tc.body, tc.hdr)
		f.Add("%-38s → %d", tc.name, got)
		if got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
		if got >= 500 || got == 0 {
			t.Errorf("%s: got %d, never want a 5xx or no answer", tc.name, got)
		}
	}

	// Slowloris: connections that send headers a byte at a time must be
	// closed at the read-header timeout (1 s) while good requests pass.
	n := 50
	if p.full {
		n = 200
	}
	closed := make(chan time.Duration, n)
	host := strings.TrimPrefix(base, "http://")
	for range n {
		go func() {
			conn, err := net.Dial("tcp", host)
			if err != nil {
				closed <- -1
				return
			}
			defer conn.Close()
			start := time.Now()
			_, _ = io.WriteString(conn, "POST /v1/messages HTTP/1.1\r\nHost: x\r\n")
			for time.Since(start) < 10*time.Second {
				if _, err := io.WriteString(conn, "X"); err != nil {
					break
				}
				_ = conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
				if _, err := bufio.NewReader(conn).ReadByte(); err != nil && !isTimeout(err) {
					break // closed (or answered 408 and closed)
				}
			}
			closed <- time.Since(start)
		}()
	}
	time.Sleep(300 * time.Millisecond)
	goodDuring := post("application/json", good, nil)
	var slowest time.Duration
	for range n {
		slowest = max(slowest, <-closed)
	}
	f.Add("slowloris: %d connections dribbling headers were all closed by %v (read-header timeout 1s); a good request meanwhile got %d",
		n, slowest.Round(10*time.Millisecond), goodDuring)
	if slowest > 3*time.Second || slowest < 0 {
		t.Errorf("slowloris: slowest connection lived %v, want ≤ 3s", slowest)
	}
	if goodDuring != 200 {
		t.Errorf("good request during slowloris: got %d, want 200", goodDuring)
	}

	// gRPC: a 5 MiB message (the server's limit is grpc-go's 4 MiB).
	cc, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	pc := pricespb.NewPricesClient(cc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = pc.GetPrice(ctx, &pricespb.GetPriceRequest{Sku: strings.Repeat("s", 5<<20)})
	_, okErr := pc.GetPrice(ctx, &pricespb.GetPriceRequest{Sku: "teapot"})
	f.Add("gRPC 5 MiB message → %s; a normal call after it → %v", status.Code(err), status.Code(okErr))
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("gRPC oversize: got %v, want ResourceExhausted", err)
	}
	if okErr != nil {
		t.Errorf("gRPC after oversize: got %v, want success", okErr)
	}
	if got := post("application/json", good, nil); got != 200 {
		t.Errorf("good request at the end: got %d, want 200", got)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
