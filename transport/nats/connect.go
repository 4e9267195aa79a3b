package nats

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
)

// Connect connects to url (a comma-separated list for a cluster) with the
// settings a long-running service wants: it keeps reconnecting forever
// (also when the first connect fails), buffers up to 8 MiB of publishes
// while disconnected, and moves to another server of the cluster as soon
// as its server enters lame-duck mode (a rolling restart). Connection
// events are logged to logger (nil discards them): a lost connection at
// WARN, the connection's own Close or Drain at DEBUG only, so that a clean
// stop logs no warning. opts come last and win.
//
// The caller owns the connection; close it with Drain so that in-flight
// handlers finish.
func Connect(url, name string, logger *slog.Logger, opts ...nats.Option) (*nats.Conn, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	base := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.ReconnectBufSize(8 << 20),
		nats.RetryOnFailedConnect(true),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if err == nil {
				// A Close or a finished Drain: the owner's own stop, not
				// a fault worth a warning.
				logger.Debug("nats connection closed")
				return
			}
			logger.Warn("nats disconnected", "error", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			logger.Info("nats reconnected", "url", nc.ConnectedUrlRedacted())
		}),
		nats.LameDuckModeHandler(func(nc *nats.Conn) {
			logger.Info("nats server entering lame-duck mode", "url", nc.ConnectedUrlRedacted())
			if len(nc.Servers()) > 1 {
				_ = nc.ForceReconnect() // to another server; publishes are buffered meanwhile
			}
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			logger.Error("nats async error", "subject", subject, "error", err)
		}),
	}
	nc, err := nats.Connect(url, append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("nats: connect %s: %w", url, err)
	}
	return nc, nil
}
