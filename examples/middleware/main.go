// Command middleware is step 2 of the Gantry tutorial: the hello service
// with the default middleware chain on every endpoint. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/kit"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Config is the service's own section (GREETER_* in the environment).
type Config struct {
	Greeting    string  `yaml:"greeting" help:"the word the greeter says"`
	FailureRate float64 `yaml:"failure_rate" help:"fraction (0-1) of forecasts whose weather station fails"`
}

// GreetRequest names whom to greet.
type GreetRequest struct {
	Name string `path:"name"`
}

// ForecastRequest names a city.
type ForecastRequest struct {
	City string `path:"city" validate:"max=64"`
}

// Answer is what both endpoints return.
type Answer struct {
	Message string `json:"message"`
}

// Service is the business logic; it knows nothing of middleware. The
// weather station is a dependency it calls.
type Service struct {
	cfg     Config
	station endpoint.Func[string, string]
}

// Greet says hello.
func (s Service) Greet(_ context.Context, req GreetRequest) (Answer, error) {
	return Answer{Message: fmt.Sprintf("%s, %s!", s.cfg.Greeting, req.Name)}, nil
}

// Forecast asks the weather station.
func (s Service) Forecast(ctx context.Context, req ForecastRequest) (Answer, error) {
	weather, err := s.station(ctx, req.City)
	if err != nil {
		return Answer{}, err
	}
	return Answer{Message: weather + " in " + req.City}, nil
}

// station stands for a remote weather station that fails at failureRate.
func station(failureRate float64) endpoint.Func[string, string] {
	return func(_ context.Context, city string) (string, error) {
		if rand.Float64() < failureRate {
			return "", errs.Unavailable(0, "the weather station for %s does not answer", city)
		}
		return "sunny", nil
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	cfg := Config{Greeting: "Hello"}
	app := kit.New("greeter", kit.WithVersion("0.2.0"), kit.WithConfig(&cfg),
		kit.WithArgs(args), kit.WithGetenv(getenv))
	if err := app.Err(); err != nil {
		return err
	}
	// The call to the station gets the client chain: tracing, metrics,
	// logging, retry, breaker, timeout.
	svc := Service{cfg: cfg, station: endpoint.Wrap(station(cfg.FailureRate), app.ClientMiddleware("station.forecast")...)}

	// Each operation gets the default server chain: recovery, tracing,
	// metrics, logging, load shedding, rate limit, timeout.
	greet := endpoint.Wrap(svc.Greet, app.Middleware("greet")...)
	forecast := endpoint.Wrap(svc.Forecast, app.Middleware("forecast")...)

	app.HTTP().Handle("GET /v1/hello/{name}", httpt.NewServer(greet))
	app.HTTP().Handle("GET /v1/forecast/{city}", httpt.NewServer(forecast))
	return app.Run(ctx)
}

func main() {
	err := run(context.Background(), os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "greeter:", err)
		os.Exit(1)
	}
}
