// Command gokit serves GET /v1/hello/{name} through go-kit's
// transport/http server over a plain endpoint: decode, endpoint, encode.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	kithttp "github.com/go-kit/kit/transport/http"
)

type greeting struct {
	Message string `json:"message"`
}

func greet(_ context.Context, req any) (any, error) {
	return greeting{Message: "Hello, " + req.(string) + "!"}, nil
}

func decode(_ context.Context, r *http.Request) (any, error) { return r.PathValue("name"), nil }

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "listen address")
	flag.Parse()
	mux := http.NewServeMux()
	mux.Handle("GET /v1/hello/{name}", kithttp.NewServer(greet, decode, kithttp.EncodeJSONResponse))
	serve(*listen, mux)
}

func serve(addr string, h http.Handler) {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
		<-c
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
