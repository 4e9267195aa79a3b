// Command hello is step 1 of the Gantry tutorial: one service with two typed
// endpoints, served by the kit runtime. See README.md beside this file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/kit"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Config is the service's own configuration section.
type Config struct {
	Greeting string `yaml:"greeting" help:"the word hello says"`
}

// GreetRequest names whom to greet; the name comes from the path.
type GreetRequest struct {
	Name string `path:"name"`
}

// Greeting is the answer of both endpoints.
type Greeting struct {
	Message string `json:"message"`
}

// MessageRequest is the JSON body of POST /v1/messages.
type MessageRequest struct {
	To   string `json:"to" validate:"required,max=64"`
	Text string `json:"text" validate:"required,max=280"`
}

// Validate adds a rule the tags cannot say.
func (r MessageRequest) Validate() error {
	if strings.EqualFold(r.To, "nobody") {
		return errs.InvalidField("to", "cannot write to nobody")
	}
	return nil
}

// Service is the business logic: it knows nothing of HTTP.
type Service struct{ greeting string }

// Greet says hello to one name.
func (s Service) Greet(_ context.Context, req GreetRequest) (Greeting, error) {
	return Greeting{Message: fmt.Sprintf("%s, %s!", s.greeting, req.Name)}, nil
}

// Send answers a message.
func (s Service) Send(_ context.Context, req MessageRequest) (Greeting, error) {
	return Greeting{Message: fmt.Sprintf("%s, %s: %q received", s.greeting, req.To, req.Text)}, nil
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	cfg := Config{Greeting: "Hello"}
	app := kit.New("hello", kit.WithVersion("0.1.0"), kit.WithConfig(&cfg),
		kit.WithArgs(args), kit.WithGetenv(getenv))
	if err := app.Err(); err != nil {
		return err
	}
	svc := Service{greeting: cfg.Greeting}

	app.HTTP().Handle("GET /v1/hello/{name}", httpt.NewServer(svc.Greet, httpt.Summary("Greet someone")))
	app.HTTP().Handle("POST /v1/messages", httpt.NewServer(svc.Send,
		httpt.WithStatus(201), httpt.Summary("Send a message")))

	return app.Run(ctx)
}

func main() {
	err := run(context.Background(), os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}
