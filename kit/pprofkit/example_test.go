package pprofkit_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/pprofkit"
)

func ExampleMount() {
	app := kit.New("orders",
		kit.WithArgs([]string{"-http-addr=127.0.0.1:0", "-admin-addr=127.0.0.1:0", "-drain-delay=0s"}),
		kit.WithoutSignals(), kit.WithLogOutput(io.Discard),
	)
	pprofkit.Mount(app) // after New, before Run

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	<-app.Started()

	// What go tool pprof asks for, here the goroutine profile as text.
	resp, err := http.Get("http://" + app.AdminAddr() + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		stop()
		fmt.Println(err, <-done)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	first, _, _ := strings.Cut(string(body), ":")
	fmt.Println(resp.Status, first)

	stop()
	fmt.Println("Run returned", <-done)
	// Output:
	// 200 OK goroutine profile
	// Run returned <nil>
}
