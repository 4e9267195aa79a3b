package pprofkit

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"time"

	"github.com/gantrykit/gantry/kit"
)

// Mount serves the runtime profiles at /debug/pprof/ on app's admin
// listener, unless the runtime's gantry.pprof key is false. Call it once,
// after kit.New and before Run, as any route is added to App.Admin.
func Mount(app *kit.App) {
	if app.Config().Pprof {
		app.Admin().Handle("/debug/pprof/", handler())
	}
}

// handler serves the runtime profiles under /debug/pprof/, in the format
// go tool pprof reads. It is written on runtime/pprof rather than
// importing net/http/pprof, whose init registers the same handlers on
// http.DefaultServeMux: importing pprofkit must not expose profiles on a
// mux the user may serve publicly.
func handler() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("GET /debug/pprof/{$}", index)
	m.HandleFunc("GET /debug/pprof/cmdline", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, strings.Join(os.Args, "\x00"))
	})
	m.HandleFunc("GET /debug/pprof/profile", func(w http.ResponseWriter, r *http.Request) {
		capture(w, r, 30, pprof.StartCPUProfile, pprof.StopCPUProfile)
	})
	m.HandleFunc("GET /debug/pprof/trace", func(w http.ResponseWriter, r *http.Request) {
		capture(w, r, 1, trace.Start, trace.Stop)
	})
	m.HandleFunc("GET /debug/pprof/{name}", named)
	return m
}

func index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<html><head><title>/debug/pprof/</title></head><body><h1>/debug/pprof/</h1><ul>\n")
	for _, p := range pprof.Profiles() {
		n := html.EscapeString(p.Name())
		fmt.Fprintf(w, "<li><a href=\"%s?debug=1\">%s</a> (%d)</li>\n", n, n, p.Count())
	}
	fmt.Fprint(w, "<li><a href=\"profile?seconds=30\">profile</a> (CPU, 30 s)</li>\n")
	fmt.Fprint(w, "<li><a href=\"trace?seconds=1\">trace</a> (execution trace, 1 s)</li>\n")
	fmt.Fprint(w, "<li><a href=\"cmdline\">cmdline</a></li>\n</ul></body></html>\n")
}

func named(w http.ResponseWriter, r *http.Request) {
	p := pprof.Lookup(r.PathValue("name"))
	if p == nil {
		http.Error(w, "unknown profile", http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	debug, _ := strconv.Atoi(q.Get("debug"))
	if p.Name() == "heap" && q.Get("gc") != "" {
		runtime.GC()
	}
	if debug > 0 {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="`+p.Name()+`"`)
	}
	if err := p.WriteTo(w, debug); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// capture records a CPU profile or an execution trace for ?seconds= (at
// most 5 minutes), stopping early if the client goes away.
func capture(w http.ResponseWriter, r *http.Request, def int, start func(io.Writer) error, stop func()) {
	secs, err := strconv.Atoi(r.URL.Query().Get("seconds"))
	if err != nil || secs <= 0 {
		secs = def
	}
	secs = min(secs, 300)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if err := start(w); err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		http.Error(w, "could not start: "+err.Error(), http.StatusInternalServerError)
		return
	}
	t := time.NewTimer(time.Duration(secs) * time.Second)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
	stop()
}
