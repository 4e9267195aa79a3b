// Command benchserver is the gateway benchmark's helper: the bare net/http
// backend that every proxy in the comparison forwards to, and a stock
// httputil.ReverseProxy with default transport settings as a reference
// point (and, with -role httputil-tuned, the same proxy with a large
// keep-alive pool: the ceiling of the standard library). Only the wrkbench harness (gateway/wrkbench_test.go) runs it.
//
//	benchserver -role backend -listen 127.0.0.1:9001
//	benchserver -role httputil -listen 127.0.0.1:9002 -target http://127.0.0.1:9001
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchserver:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("benchserver", flag.ContinueOnError)
	role := fs.String("role", "backend", "backend, httputil or httputil-tuned")
	listen := fs.String("listen", "127.0.0.1:0", "listen address")
	target := fs.String("target", "", "upstream URL for -role httputil")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var h http.Handler
	switch *role {
	case "backend":
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "hello\n")
		})
	case "httputil", "httputil-tuned":
		u, err := url.Parse(*target)
		if err != nil || u.Host == "" {
			return fmt.Errorf("-target %q is not a URL", *target)
		}
		p := httputil.NewSingleHostReverseProxy(u)
		if *role == "httputil-tuned" {
			// The stdlib ceiling: the same proxy with only a keep-alive
			// pool large enough for the load, and nothing else.
			t := http.DefaultTransport.(*http.Transport).Clone()
			t.MaxIdleConnsPerHost = 1024
			p.Transport = t
		}
		h = p
	default:
		return fmt.Errorf("-role %q is not backend, httputil or httputil-tuned", *role)
	}
	srv := &http.Server{Addr: *listen, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
