package discovery

import (
	"sync"

	"github.com/go-kit/kit/sd"
)

// Select adapts src: for each of its instances, pick returns the address
// to publish, or false to leave the instance out. Use it to balance over
// another transport's addresses (Transport("grpc")) or a subset (one zone,
// one version). Instances of the result report the picked address as
// Address. Select owns one goroutine following src; Stop ends it and
// leaves src running (the caller owns src).
func Select(src Instancer, pick func(Instance) (string, bool)) Instancer {
	s := &selected{Cache: NewCache(), src: src, pick: pick, events: make(chan sd.Event, 1), done: make(chan struct{})}
	src.Register(s.events)
	s.apply(<-s.events)
	go s.run()
	return s
}

// Transport is a pick for Select: the instance's address for the named
// transport (its Transports entry), leaving out instances without one.
func Transport(name string) func(Instance) (string, bool) {
	return func(in Instance) (string, bool) {
		addr, ok := in.Transports[name]
		return addr, ok && addr != ""
	}
}

type selected struct {
	*Cache
	src    Instancer
	pick   func(Instance) (string, bool)
	events chan sd.Event
	done   chan struct{}
	once   sync.Once
}

func (s *selected) run() {
	defer close(s.done)
	for ev := range s.events {
		s.apply(ev)
	}
}

func (s *selected) apply(ev sd.Event) {
	if ev.Err != nil {
		s.Fail(ev.Err)
		return
	}
	var out []Instance
	for _, in := range s.src.Instances() {
		if addr, ok := s.pick(in); ok {
			in.Address = addr
			out = append(out, in)
		}
	}
	s.Update(out)
}

// Stop implements sd.Instancer: it stops following src.
func (s *selected) Stop() {
	s.once.Do(func() {
		s.src.Deregister(s.events)
		close(s.events)
		<-s.done
	})
}
