package gateway

import (
	"net/http"
	"strings"
)

// methods are the methods allowed asks about: those routes restrict to.
var methods = [...]string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions}

// allowed returns the Allow header value for a request no route matched:
// the methods for which a route would match its path, or "" when none
// would (a 404, not a 405). It runs only on the miss path.
func (t *table) allowed(r request) string {
	var allow []string
	for _, m := range methods {
		q := r
		q.method = m
		if rt, _ := t.match(q); rt != nil {
			allow = append(allow, m)
		}
	}
	return strings.Join(allow, ", ")
}
