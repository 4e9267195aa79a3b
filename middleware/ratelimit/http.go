package ratelimit

import (
	"context"
	"net"
	"net/http"
)

type clientIPKey struct{}

// HTTPClientIP returns a handler that puts the host part of the request's
// RemoteAddr into the context for [ClientIP], then calls next.
func HTTPClientIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey{}, host)))
	})
}

// ClientIP is a KeyFunc that returns the client IP that [HTTPClientIP] put
// into the context, or "" when there is none (all such calls share one
// bucket).
func ClientIP(ctx context.Context, _ any) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}
