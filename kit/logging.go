package kit

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/gantrykit/gantry/telemetry"
)

func newLogger(cfg Config, o options, name, version, instance string, level *slog.LevelVar) *slog.Logger {
	var h slog.Handler
	if o.logger != nil {
		h = o.logger.Handler()
	} else {
		w := o.logOut
		if w == nil {
			w = os.Stderr
		}
		level.Set(cfg.LogLevel)
		ho := &slog.HandlerOptions{Level: level}
		if cfg.LogFormat == "text" {
			h = slog.NewTextHandler(w, ho)
		} else {
			h = slog.NewJSONHandler(w, ho)
		}
	}
	return slog.New(telemetry.NewHandler(h)).With(telemetry.KeyService, name, telemetry.KeyVersion, version, telemetry.KeyInstance, instance)
}

// slogPrinter adapts the logger to promhttp's ErrorLog (a Println method).
type slogPrinter struct{ l *slog.Logger }

func (p slogPrinter) Println(v ...any) { p.l.Error(fmt.Sprint(v...)) }
