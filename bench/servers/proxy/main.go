// Command proxy is the standard library's reverse proxy as a reference row:
// httputil.NewSingleHostReverseProxy with a keep-alive pool sized for the
// load (MaxIdleConnsPerHost 1024) and nothing else.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "listen address")
	target := flag.String("target", "", "upstream base URL")
	flag.Parse()
	u, err := url.Parse(*target)
	if err != nil || u.Host == "" {
		fmt.Fprintf(os.Stderr, "proxy: -target %q is not a URL\n", *target)
		os.Exit(2)
	}
	p := httputil.NewSingleHostReverseProxy(u)
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 1024
	p.Transport = t
	srv := &http.Server{Addr: *listen, Handler: p, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
		<-c
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "proxy:", err)
		os.Exit(1)
	}
}
