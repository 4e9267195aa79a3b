package http

import (
	"encoding/json"
	"net/http"

	"github.com/gantrykit/gantry/kit/errs"
)

// WriteProblem writes err as an RFC 9457 problem+json answer, mapped through
// the error table. status, when non-zero, overrides the table's status (for
// 405, 413 and 415, which have no kind of their own). The text of internal
// errors is never written.
func WriteProblem(w http.ResponseWriter, r *http.Request, err error, status int) {
	p := errs.ToProblem(err)
	if status != 0 {
		p.Status = status
		p.Title = http.StatusText(status)
	}
	if r != nil {
		p.Instance = r.URL.Path
	}
	h := w.Header()
	h.Set("Content-Type", errs.ProblemContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	if ra := errs.RetryAfterSeconds(p.RetryAfter); ra != "" {
		h.Set("Retry-After", ra)
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
