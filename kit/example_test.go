package kit_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/gantrykit/gantry/kit"
)

func Example() {
	app := kit.New("hello",
		kit.WithArgs([]string{"-http-addr=127.0.0.1:0", "-admin-addr=127.0.0.1:0", "-drain-delay=0s"}),
		kit.WithoutSignals(),          // tests end Run with the context instead
		kit.WithLogOutput(io.Discard), // JSON logs go to stderr by default
	)
	app.HTTP().HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s\n", r.PathValue("name"))
	})

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	<-app.Started()

	resp, err := http.Get("http://" + app.HTTPAddr() + "/hello/gopher")
	if err != nil {
		stop()
		fmt.Println(err, <-done)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.Status, " ", string(body))

	stop() // as SIGTERM would: drain, shut down, flush
	fmt.Println("Run returned", <-done)
	// Output:
	// 200 OK hello, gopher
	// Run returned <nil>
}
