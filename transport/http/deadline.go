package http

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// HeaderTimeout carries how long the caller will wait for the answer, as a
// Go duration ("1.5s", "250ms", "900us"): the same header transport/nats
// uses. The typed Client sets it from its context's deadline, the gateway
// from what is left of the route (or attempt) timeout, and Mux gives the
// handler's context that deadline, so a service can plan with, and pass
// on, its caller's real budget instead of timing out on its own.
const HeaderTimeout = "Gantry-Timeout"

// maxHeaderTimeout caps the deadline a caller can ask for.
const maxHeaderTimeout = time.Hour

// headerDeadline returns r with a context deadline from its HeaderTimeout,
// and the cancel func to call when the request is done; r itself and a nil
// func when there is no valid header.
func headerDeadline(r *http.Request) (*http.Request, context.CancelFunc) {
	ctx, cancel := withHeaderDeadline(r.Context(), r)
	if cancel == nil {
		return r, nil
	}
	return r.WithContext(ctx), cancel
}

// withHeaderDeadline returns ctx with the deadline of r's HeaderTimeout
// and its cancel func, or ctx and nil when r has no valid header.
func withHeaderDeadline(ctx context.Context, r *http.Request) (context.Context, context.CancelFunc) {
	v := r.Header[HeaderTimeout]
	if len(v) == 0 {
		return ctx, nil
	}
	d, err := time.ParseDuration(v[0])
	if err != nil || d <= 0 {
		return ctx, nil
	}
	return context.WithTimeout(ctx, min(d, maxHeaderTimeout))
}

// setTimeoutHeader is a go-kit client RequestFunc: it sets HeaderTimeout
// from ctx's deadline.
func setTimeoutHeader(ctx context.Context, r *http.Request) context.Context {
	if dl, ok := ctx.Deadline(); ok {
		if d := time.Until(dl); d > 0 {
			r.Header[HeaderTimeout] = []string{FormatTimeout(d)}
		}
	}
	return ctx
}

// FormatTimeout formats d for HeaderTimeout in whole microseconds (at
// least 1), as time.ParseDuration reads it.
func FormatTimeout(d time.Duration) string {
	return string(AppendTimeout(nil, d))
}

// AppendTimeout appends d formatted for HeaderTimeout to b.
func AppendTimeout(b []byte, d time.Duration) []byte {
	return append(strconv.AppendInt(b, max(int64(d/time.Microsecond), 1), 10), "us"...)
}
