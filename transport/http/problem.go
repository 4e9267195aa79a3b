package http

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/gantrykit/gantry/errs"
)

// WriteProblem writes err as an RFC 9457 problem+json answer, mapped through
// the error table. A 401 carries a Bearer challenge in WWW-Authenticate
// (RFC 6750), unless the error set one: error="invalid_token" when the
// request presented a bearer token, none when it presented no
// credentials; a 403 to a bearer token carries error="insufficient_scope". status, when non-zero, overrides the table's status (for
// 405, 413 and 415, which have no kind of their own); when zero, an error
// in err's chain that implements go-kit's StatusCoder chooses it. Headers of
// an error that implements go-kit's Headerer are copied, and a RetryAfter
// hint becomes the Retry-After header. The text of internal errors is never
// written. r may be nil; when it is not, its path is the problem's instance.
func WriteProblem(w http.ResponseWriter, r *http.Request, err error, status int) {
	p := errs.ToProblem(err)
	if status == 0 {
		var sc kithttp.StatusCoder
		if errors.As(err, &sc) {
			status = sc.StatusCode()
		}
	}
	if status != 0 && status != p.Status {
		p.Status = status
		p.Title = http.StatusText(status)
	}
	if r != nil {
		p.Instance = r.URL.Path
	}
	h := w.Header()
	var hd kithttp.Headerer
	if errors.As(err, &hd) {
		for k, vs := range hd.Headers() {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
	}
	h.Set("Content-Type", errs.ProblemContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	if ra := errs.RetryAfterSeconds(p.RetryAfter); ra != "" {
		h.Set("Retry-After", ra)
	}
	if (p.Status == http.StatusUnauthorized || p.Status == http.StatusForbidden) && len(h["Www-Authenticate"]) == 0 {
		if v := bearerChallenge(r, p.Status); v != "" {
			h.Set("WWW-Authenticate", v)
		}
	}
	if p.Status == http.StatusRequestEntityTooLarge {
		// The rest of the body stays unread: close the connection rather
		// than let the server drain it.
		h.Set("Connection", "close")
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// bearerChallenge is the RFC 6750 WWW-Authenticate value of a 401 or 403
// answer to r (nil: unknown request), or "" when none is due.
func bearerChallenge(r *http.Request, status int) string {
	presented := false
	if r != nil {
		scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		presented = strings.EqualFold(scheme, "Bearer")
	}
	switch {
	case status == http.StatusForbidden && presented:
		return `Bearer error="insufficient_scope"`
	case status == http.StatusForbidden:
		return ""
	case presented:
		return `Bearer error="invalid_token"`
	}
	return "Bearer"
}
