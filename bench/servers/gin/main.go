// Command gin serves GET /v1/hello/{name} with gin in release mode, with
// gin.Recovery and without gin.Logger (gin.Default's access log to stdout
// would measure the terminal, not the framework).
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
)

type greeting struct {
	Message string `json:"message"`
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "listen address")
	flag.Parse()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/v1/hello/:name", func(c *gin.Context) {
		c.JSON(http.StatusOK, greeting{Message: "Hello, " + c.Param("name") + "!"})
	})
	srv := &http.Server{Addr: *listen, Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
		<-c
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "gin:", err)
		os.Exit(1)
	}
}
