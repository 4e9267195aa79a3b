// Command gozero serves GET /v1/hello/{name} with go-zero's rest server and
// its defaults (breaker, shedding, timeout, max bytes, recover, metrics,
// tracing, access log as go-zero sets them), filled by conf.FillDefault.
// Logs go to the console, which the harness sends to a file. Those defaults
// include an access-log line and a span per request and a dev server on
// :6060; with BENCH_QUIET=1 the log level is error (no access log) and the
// dev server is off, for the framework without its logging.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"

	"github.com/zeromicro/go-zero/core/conf"
	"github.com/zeromicro/go-zero/rest"
	"github.com/zeromicro/go-zero/rest/httpx"
	"github.com/zeromicro/go-zero/rest/pathvar"
)

type greeting struct {
	Message string `json:"message"`
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "listen address")
	flag.Parse()
	host, port, err := net.SplitHostPort(*listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gozero:", err)
		os.Exit(1)
	}
	var c rest.RestConf
	if err := conf.FillDefault(&c); err != nil {
		fmt.Fprintln(os.Stderr, "gozero:", err)
		os.Exit(1)
	}
	c.Name = "hello"
	if os.Getenv("BENCH_QUIET") == "1" {
		c.Log.Level = "error"
		c.DevServer.Enabled = false
	}
	c.Host = host
	c.Port, _ = strconv.Atoi(port)
	srv := rest.MustNewServer(c)
	defer srv.Stop()
	srv.AddRoute(rest.Route{Method: http.MethodGet, Path: "/v1/hello/:name", Handler: func(w http.ResponseWriter, r *http.Request) {
		httpx.OkJson(w, greeting{Message: "Hello, " + pathvar.Vars(r)["name"] + "!"})
	}})
	srv.Start() // go-zero handles SIGTERM itself
}
