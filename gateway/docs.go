package gateway

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

//go:embed docsui
var docsFiles embed.FS

// docs serves the merged OpenAPI document at /openapi.json and Swagger UI
// (embedded, no CDN) under the configured docs path.
type docs struct {
	g      *Gateway
	path   atomic.Pointer[string]
	ui     http.Handler
	client *http.Client

	mu     sync.Mutex
	cfg    *Config
	cached []byte
	at     time.Time
}

const docsTTL = 10 * time.Second

func newDocs(g *Gateway) *docs {
	sub, _ := fs.Sub(docsFiles, "docsui")
	d := &docs{g: g, ui: http.FileServerFS(sub), client: &http.Client{Transport: g.h1, Timeout: 5 * time.Second}}
	empty := ""
	d.path.Store(&empty)
	return d
}

func (d *docs) setConfig(c *Config) {
	p := strings.TrimSuffix(c.Docs.Path, "/")
	d.path.Store(&p)
	d.mu.Lock()
	d.cfg, d.cached = c, nil
	d.mu.Unlock()
}

// serve answers docs requests and reports whether it did.
func (d *docs) serve(w http.ResponseWriter, r *http.Request) bool {
	p := *d.path.Load()
	if p == "" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false
	}
	switch {
	case r.URL.Path == "/openapi.json":
		b := d.document(r)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	case r.URL.Path == p:
		http.Redirect(w, r, p+"/", http.StatusMovedPermanently)
	case strings.HasPrefix(r.URL.Path, p+"/"):
		r2 := r.Clone(r.Context())
		r2.URL.Path = strings.TrimPrefix(r.URL.Path, p)
		r2.URL.RawPath = ""
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
		d.ui.ServeHTTP(w, r2)
	default:
		return false
	}
	return true
}

// document returns the merged document, rebuilt at most every docsTTL.
func (d *docs) document(r *http.Request) []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cached != nil && time.Since(d.at) < docsTTL {
		return d.cached
	}
	specs := map[string]map[string]any{}
	var fetchErrs []string
	for _, rc := range d.cfg.Routes {
		if _, done := specs[rc.Service]; done {
			continue
		}
		spec, err := d.fetch(r, rc.Service)
		if err != nil {
			fetchErrs = append(fetchErrs, rc.Service+": "+err.Error())
			spec = nil
		}
		specs[rc.Service] = spec
	}
	merged := edgeAnswers(mergeSpecs(d.cfg.Routes, specs), d.g.table.Load())
	merged["info"] = d.cfg.Docs.info()
	// The paths are the gateway's own, relative to where it serves this.
	merged["servers"] = []any{map[string]any{"url": "/", "description": "this gateway"}}
	if len(fetchErrs) > 0 {
		merged["x-gantry-fetch-errors"] = fetchErrs
	}
	b, err := json.MarshalIndent(merged, "", "  ")
	if err != nil {
		b = []byte(`{"openapi":"3.1.0","info":{"title":"API","version":"0"},"paths":{}}`)
	}
	d.cached, d.at = b, time.Now()
	return b
}

func (d *docs) fetch(r *http.Request, service string) (map[string]any, error) {
	u := d.g.table.Load().ups[service]
	if u == nil {
		return nil, errNoInstance
	}
	in := u.anyInstance()
	if in == nil {
		return nil, errNoInstance
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, in.url.JoinPath("/openapi.json").String(), nil)
	if err != nil {
		return nil, err
	}
	res, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, &statusError{res.StatusCode}
	}
	var spec map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(nil, res.Body, 8<<20)).Decode(&spec); err != nil {
		return nil, err
	}
	return spec, nil
}

type statusError struct{ code int }

func (e *statusError) Error() string { return "status " + http.StatusText(e.code) }
