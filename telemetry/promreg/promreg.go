package promreg

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Register registers c on reg on behalf of owner (a package path such as
// "gantry/middleware/retry"). If reg already holds a collector of the
// same description, of c's type, registered by the same owner, Register
// returns that collector instead. Any other clash returns c unregistered
// and a *ClashError; any other refusal of reg returns its error.
func Register[C prometheus.Collector](reg prometheus.Registerer, owner string, c C) (C, error) {
	names := metricNames(c)
	book := bookOf(reg)
	err := reg.Register(c)
	if err == nil {
		book.record(names, owner)
		return c, nil
	}
	other := book.ownerOf(names)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok && other == owner {
			return existing, nil
		}
	}
	if other == "" && !errors.As(err, &are) && !taken(err) {
		return c, err // not a clash: the registerer refused for its own reasons
	}
	if other == "" {
		other = "a collector registered outside Gantry"
	}
	return c, &ClashError{Metric: strings.Join(names, ", "), Owner: owner, Other: other, Err: err}
}

// ClashError is a collector refused because its metric's name is taken on
// the registry.
type ClashError struct {
	Metric string // the metric's fully-qualified name
	Owner  string // who tried to register it
	Other  string // who holds the name: a package path, or a description
	Err    error  // the registry's own error
}

// Error names the metric and both owners.
func (e *ClashError) Error() string {
	return fmt.Sprintf("metric %s of %s clashes with %s on the same registry: %v", e.Metric, e.Owner, e.Other, e.Err)
}

// Unwrap returns the registry's error.
func (e *ClashError) Unwrap() error { return e.Err }

// book remembers who registered which metric names on one registry. It is
// itself registered there, describing one name and collecting nothing.
type book struct {
	mu     sync.Mutex
	owners map[string]string // metric name → owner
}

var bookDesc = prometheus.NewDesc("gantry_collector_owners",
	"Describes no series: the Gantry packages that registered this registry's collectors are kept under this name.", nil, nil)

func (b *book) Describe(ch chan<- *prometheus.Desc) { ch <- bookDesc }
func (b *book) Collect(chan<- prometheus.Metric)    {}

// bookOf returns reg's book, registering one on first use; nil when reg
// refuses it (owners are then unknown).
func bookOf(reg prometheus.Registerer) *book {
	b := &book{owners: map[string]string{}}
	err := reg.Register(b)
	if err == nil {
		return b
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(*book); ok {
			return existing
		}
	}
	return nil
}

func (b *book) record(names []string, owner string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range names {
		b.owners[n] = owner
	}
}

// ownerOf returns the owner of the first of names that has one, or "".
func (b *book) ownerOf(names []string) string {
	if b == nil {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range names {
		if o, ok := b.owners[n]; ok {
			return o
		}
	}
	return ""
}

// taken reports whether err is the registry refusing a name already in
// use with other labels, help or constant labels (client_golang says so
// only in its text).
func taken(err error) bool {
	s := err.Error()
	return strings.Contains(s, "previously registered") || strings.Contains(s, "already exists")
}

var fqName = regexp.MustCompile(`fqName: "([^"]*)"`)

// metricNames returns the names c describes, read from its descriptions.
func metricNames(c prometheus.Collector) []string {
	ch := make(chan *prometheus.Desc, 8)
	go func() { c.Describe(ch); close(ch) }()
	var names []string
	for d := range ch {
		if m := fqName.FindStringSubmatch(d.String()); m != nil {
			names = append(names, m[1])
		}
	}
	return names
}
