package gateway

import (
	"net/http"
	"strconv"
	"strings"
)

// cors is a compiled CORSConfig.
type cors struct {
	any     bool
	origins []string
	methods string
	headers string
	maxAge  string
}

func newCORS(c *CORSConfig) *cors {
	if c == nil {
		return nil
	}
	methods := c.Methods
	if len(methods) == 0 {
		methods = []string{"GET", "HEAD", "POST"}
	}
	out := &cors{origins: c.Origins, methods: strings.Join(methods, ", "), headers: strings.Join(c.Headers, ", ")}
	out.any = contains(c.Origins, "*")
	if c.MaxAge > 0 {
		out.maxAge = strconv.Itoa(int(c.MaxAge.Seconds()))
	}
	return out
}

// isPreflight reports whether r is a CORS preflight request.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// apply sets the CORS response headers for r's origin when it is allowed.
// For a preflight it answers 204 itself and returns true.
func (c *cors) apply(w http.ResponseWriter, r *http.Request) (answered bool) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	h := w.Header()
	h.Add("Vary", "Origin")
	if !c.any && !contains(c.origins, origin) {
		if isPreflight(r) {
			w.WriteHeader(http.StatusForbidden)
			return true
		}
		return false
	}
	if c.any {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	if !isPreflight(r) {
		return false
	}
	h.Set("Access-Control-Allow-Methods", c.methods)
	if c.headers != "" {
		h.Set("Access-Control-Allow-Headers", c.headers)
	} else if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	}
	if c.maxAge != "" {
		h.Set("Access-Control-Max-Age", c.maxAge)
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}
