package auth

import (
	"context"
	"net/http"
	"strings"
)

type tokenKey struct{}

// ContextWithToken returns a context carrying a raw bearer token, for
// transports other than HTTP.
func ContextWithToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, tokenKey{}, token)
}

// TokenFrom returns the raw bearer token in ctx, or "".
func TokenFrom(ctx context.Context) string {
	t, _ := ctx.Value(tokenKey{}).(string)
	return t
}

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header value (the scheme is case-insensitive), or "".
func BearerToken(header string) string {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// TokenFromHTTP puts the request's bearer token into ctx. Its signature is
// go-kit's transport/http RequestFunc, for ServerBefore.
func TokenFromHTTP(ctx context.Context, r *http.Request) context.Context {
	if t := BearerToken(r.Header.Get("Authorization")); t != "" {
		return ContextWithToken(ctx, t)
	}
	return ctx
}

// HTTPToken returns a handler that puts the request's bearer token into the
// request context, then calls next. It rejects nothing: validation is the
// endpoint's.
func HTTPToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t := BearerToken(r.Header.Get("Authorization")); t != "" {
			r = r.WithContext(ContextWithToken(r.Context(), t))
		}
		next.ServeHTTP(w, r)
	})
}
