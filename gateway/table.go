package gateway

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-kit/kit/endpoint"
)

// route is one compiled RouteConfig. It is immutable once built; a reload
// builds new routes, and requests in flight keep the one they matched.
type route struct {
	name     string
	template string // http.route of its spans (routeTemplate)
	// exemplarAt is when the duration histogram last took an exemplar
	// (unix nanoseconds; see observeDuration).
	exemplarAt atomic.Int64
	prefix     string   // prefix routes: the public prefix after the version
	static     string   // pattern routes: the pattern's literal leading path
	methods    []string // nil: any
	host       string
	version    string
	strip      bool
	rewrite    string
	timeout    time.Duration
	attempt    time.Duration // per-attempt timeout to the answer's head; 0: none
	retries    int
	maxBody    int64
	jwt        bool
	scopes     []string
	limiter    endpoint.Endpoint // nil: unlimited; see newRouteLimiter
	limitSub   bool              // key the limiter by JWT subject, not client IP
	cors       *cors
	websocket  bool // WebSocket upgrades pass; every other Upgrade is dropped
	up         *upstream
	m          *routeMetrics
}

// table is the compiled route table: swapped atomically on reload.
type table struct {
	prefixes []*route                  // most specific first
	patterns map[string]*http.ServeMux // by version; "" for unversioned
	ups      map[string]*upstream
}

// routeHandler marks a pattern route inside a ServeMux; it is never served.
type routeHandler struct{ r *route }

func (routeHandler) ServeHTTP(http.ResponseWriter, *http.Request) {}

func sortRoutes(rs []*route) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if (a.host != "") != (b.host != "") {
			return a.host != ""
		}
		if (a.version != "") != (b.version != "") {
			return a.version != ""
		}
		return len(a.prefix) > len(b.prefix)
	})
}

// splitVersion splits "/v1/orders" into "v1" and "/orders". A path without
// a leading version segment returns "" and the path.
func splitVersion(p string) (version, rest string) {
	if len(p) < 3 || p[0] != '/' || p[1] != 'v' || p[2] < '0' || p[2] > '9' {
		return "", p
	}
	i := 3
	for i < len(p) && p[i] >= '0' && p[i] <= '9' {
		i++
	}
	if i < len(p) && p[i] != '/' {
		return "", p
	}
	return p[1:i], p[i:]
}

// acceptVersion finds an API version in an Accept header, as a media type
// parameter ("application/json; version=v2") or a vendor suffix
// ("application/vnd.shop.v2+json"). It returns "" when there is none.
func acceptVersion(accept string) string {
	if len(accept) < 4 || strings.IndexByte(accept, 'v') < 0 {
		return ""
	}
	for mr := range strings.SplitSeq(accept, ",") {
		mediaType, params, _ := strings.Cut(mr, ";")
		for p := range strings.SplitSeq(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && k == "version" {
				if v = strings.Trim(v, `"`); versionRE.MatchString(v) {
					return v
				}
			}
		}
		if i := strings.Index(mediaType, ".v"); i >= 0 {
			v := mediaType[i+1:]
			if j := strings.IndexByte(v, '+'); j >= 0 {
				v = v[:j]
			}
			if v = strings.TrimSpace(v); versionRE.MatchString(v) {
				return v
			}
		}
	}
	return ""
}

// hasPathPrefix reports whether p is prefix or lies under it.
func hasPathPrefix(p, prefix string) bool {
	if !strings.HasPrefix(p, prefix) {
		return false
	}
	return len(p) == len(prefix) || prefix == "/" || prefix[len(prefix)-1] == '/' || p[len(prefix)] == '/'
}

func hostOnly(h string) string {
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		return h[:i]
	}
	return h
}

// request is what routing reads of a request: both front ends (net/http
// and the fast lane) fill one.
type request struct {
	method        string // the method to match; differs from the request's for CORS preflights
	host          string // Host header, port included
	path          string // decoded path
	acceptVersion string // Accept-Version header
	accept        string // Accept header, read only when acceptVersion is ""
}

func requestOf(r *http.Request, method string) request {
	q := request{method: method, host: r.Host, path: r.URL.Path, acceptVersion: r.Header.Get("Accept-Version")}
	if q.acceptVersion == "" {
		q.accept = r.Header.Get("Accept")
	}
	return q
}

// match finds the route for r and the public path prefix it matched (the
// part that strip_prefix and rewrite replace).
func (t *table) match(r request) (*route, string) {
	path := r.path
	pv, rest := splitVersion(path)
	hv := r.acceptVersion
	if hv == "" {
		hv = acceptVersion(r.accept)
	}
	if len(t.patterns) > 0 {
		if rt, m := t.matchPattern(r, pv, rest, hv); rt != nil {
			return rt, m
		}
	}
	host := ""
	for _, rt := range t.prefixes {
		if rt.host != "" {
			if host == "" {
				host = hostOnly(r.host)
			}
			if host != rt.host {
				continue
			}
		}
		if rt.methods != nil && !contains(rt.methods, r.method) {
			continue
		}
		p, base := path, 0
		if rt.version != "" {
			switch {
			case pv == rt.version:
				p, base = rest, len(path)-len(rest)
			case pv == "" && hv == rt.version:
			default:
				continue
			}
		}
		if hasPathPrefix(p, rt.prefix) {
			return rt, path[:base+len(rt.prefix)]
		}
	}
	return nil, ""
}

func (t *table) matchPattern(r request, pv, rest, hv string) (*route, string) {
	try := func(mux *http.ServeMux, p string) *route {
		if mux == nil {
			return nil
		}
		h, _ := mux.Handler(&http.Request{Method: r.method, Host: r.host, URL: &url.URL{Path: p}})
		if rh, ok := h.(routeHandler); ok {
			return rh.r
		}
		return nil
	}
	if pv != "" {
		if rt := try(t.patterns[pv], rest); rt != nil {
			return rt, r.path[:len(r.path)-len(rest)] + rt.static
		}
	} else if hv != "" {
		if rt := try(t.patterns[hv], r.path); rt != nil {
			return rt, rt.static
		}
	}
	if rt := try(t.patterns[""], r.path); rt != nil {
		return rt, rt.static
	}
	return nil, ""
}

// staticPrefix is the literal path of pattern p up to its first wildcard,
// without a trailing slash: "GET /orders/{id}" → "/orders".
func staticPrefix(p string) string {
	if i := strings.IndexByte(p, '/'); i >= 0 {
		p = p[i:]
	}
	if i := strings.IndexByte(p, '{'); i >= 0 {
		p = p[:i]
	}
	return strings.TrimSuffix(p, "/")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// upstreamPath maps the public path to the upstream one for rt, given the
// matched public prefix.
func (rt *route) upstreamPath(path, matched string) string {
	switch {
	case rt.strip:
		p := path[len(matched):]
		if p == "" || p[0] != '/' {
			p = "/" + p
		}
		return p
	case rt.rewrite != "":
		rest := path[len(matched):]
		if rest == "" {
			return rt.rewrite
		}
		return strings.TrimSuffix(rt.rewrite, "/") + rest
	}
	return path
}
