//go:build reliability

package reliability

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// profile scales the scenarios: short for CI, full for the published figures.
type profile struct {
	full bool
	load time.Duration // how long a load phase lasts
}

func currentProfile() profile {
	if testing.Short() {
		return profile{load: 2 * time.Second}
	}
	return profile{full: true, load: 6 * time.Second}
}

// figures collects what each scenario measured, in order, for the summary
// printed at the end of the run.
type figures struct {
	mu    sync.Mutex
	lines map[string][]string
}

// add records one figure of scenario name.
func (f *figures) add(name, format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines[name] = append(f.lines[name], fmt.Sprintf(format, args...))
}

// scenario is one entry of the suite.
type scenario struct {
	name string
	// short says whether the scenario runs in the short (CI) profile.
	short bool
	run   func(t *testing.T, p profile, f *fig)
}

// fig is a scenario's handle on the figures and its log.
type fig struct {
	t    *testing.T
	name string
	all  *figures
}

// Add logs a figure and keeps it for the summary.
func (g *fig) Add(format string, args ...any) {
	g.t.Helper()
	g.t.Logf(format, args...)
	g.all.add(g.name, format, args...)
}

// TestReliability runs every scenario as a subtest, each bounded by its own
// deadline, then prints the figures and the closing tally.
func TestReliability(t *testing.T) {
	p := currentProfile()
	all := &figures{lines: map[string][]string{}}
	var passed, failed, skipped []string
	for _, s := range scenarios() {
		if !p.full && !s.short {
			skipped = append(skipped, s.name)
			continue
		}
		start := time.Now()
		ran := false
		ok := t.Run(s.name, func(t *testing.T) {
			ran = true
			done := make(chan struct{})
			go func() {
				select {
				case <-done:
				case <-time.After(2 * time.Minute):
					panic("reliability: scenario " + s.name + " ran over 2 minutes")
				}
			}()
			defer close(done)
			s.run(t, p, &fig{t: t, name: s.name, all: all})
		})
		took := time.Since(start).Round(100 * time.Millisecond)
		if !ran {
			continue // not selected by -run
		}
		if ok {
			passed = append(passed, fmt.Sprintf("%s (%v)", s.name, took))
		} else {
			failed = append(failed, fmt.Sprintf("%s (%v)", s.name, took))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nreliability figures (%s profile):\n", map[bool]string{true: "full", false: "short"}[p.full])
	for _, s := range scenarios() {
		if ls := all.lines[s.name]; len(ls) > 0 {
			fmt.Fprintf(&b, "  %s\n", s.name)
			for _, l := range ls {
				fmt.Fprintf(&b, "    %s\n", l)
			}
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(&b, "failed: %s\n", strings.Join(failed, ", "))
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, "not in the short profile: %s\n", strings.Join(skipped, ", "))
	}
	fmt.Fprintf(&b, "%d passed, %d failed\n", len(passed), len(failed))
	fmt.Fprint(os.Stdout, b.String())
	if path := os.Getenv("RELIABILITY_OUT"); path != "" {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
}
