// Command calling is step 3 of the Gantry tutorial: a frontend service calls
// a quotes service that it finds in discovery, over a load balancer, with a
// breaker per instance and retries under a budget. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/gantrykit/gantry/client"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/kit"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// QuoteRequest asks for a quote; Quote is the answer and says who gave it.
type (
	QuoteRequest struct{}
	Quote        struct {
		Text     string `json:"text"`
		Instance string `json:"instance"`
	}
)

// GetQuote is the quotes service's operation, defined once: each instance
// serves it (GetQuote.Handle) and the frontend calls it (client.Op) from
// this one value, so method, path and types cannot drift apart.
var GetQuote = httpt.Op[QuoteRequest, Quote]{Method: "GET", Pattern: "/v1/quote", Name: "quote"}

// quotes is one instance of the quotes service. Instance 1 is slow and
// instance 2 is broken, to show what the client does about them.
func quotes(n int) endpoint.Func[QuoteRequest, Quote] {
	return func(ctx context.Context, _ QuoteRequest) (Quote, error) {
		switch n {
		case 1:
			time.Sleep(20 * time.Millisecond)
		case 2:
			return Quote{}, errs.Unavailable(0, "quotes-2 lost its database")
		}
		return Quote{Text: "Simplicity is prerequisite for reliability.", Instance: fmt.Sprint("quotes-", n)}, nil
	}
}

// startQuotes runs three instances, each an App of its own on free ports
// that registers itself in reg once ready and deregisters first on stop.
func startQuotes(ctx context.Context, reg *static.Registry, getenv func(string) string, wg *sync.WaitGroup) {
	for n := range 3 {
		env := map[string]string{"GANTRY_HTTP_ADDR": "127.0.0.1:0", "GANTRY_ADMIN_ADDR": "127.0.0.1:0",
			"GANTRY_INSTANCE": fmt.Sprint("quotes-", n)}
		app := kit.New("quotes", kit.WithArgs(nil), kit.WithoutSignals(), kit.WithGetenv(func(k string) string {
			if v, ok := env[k]; ok {
				return v
			}
			return getenv(k)
		}))
		GetQuote.Handle(app.HTTP(), endpoint.Wrap(quotes(n), app.Middleware(GetQuote.Name)...))
		app.Register(reg, kit.Registration{})
		wg.Go(func() { _ = app.Run(ctx) })
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	reg := static.NewRegistry() // in-process; natskv or etcd across machines
	defer reg.Close()
	var wg sync.WaitGroup
	defer wg.Wait()
	instances, stopInstances := context.WithCancel(context.Background())
	defer stopInstances() // after the frontend has drained
	startQuotes(instances, reg, getenv, &wg)

	app := kit.New("frontend", kit.WithArgs(args), kit.WithGetenv(getenv), kit.WithoutSignals())
	if err := app.Err(); err != nil {
		return err
	}
	// A typed client of whatever instances discovery knows: P2C balancing,
	// a breaker per instance, retries on another instance under a budget.
	quotesClient, err := client.Op(reg.Instancer("quotes"), GetQuote)
	if err != nil {
		return err
	}
	defer quotesClient.Close()
	getQuote := endpoint.Wrap(quotesClient.Func(), app.ClientMiddleware("quotes.get")...)

	// The frontend serves the same operation, answered by a quotes instance.
	GetQuote.Handle(app.HTTP(), endpoint.Wrap(getQuote, app.Middleware(GetQuote.Name)...))
	return app.Run(ctx)
}

func main() {
	err := run(context.Background(), os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "calling:", err)
		os.Exit(1)
	}
}
