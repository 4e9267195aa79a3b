package discovery

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-kit/kit/sd"
)

// Instancer is a go-kit sd.Instancer that also reports the full Instance
// records behind the addresses it publishes, for balancers and filters that
// look at Zone, Version or Metadata. Every backend in Gantry returns one.
type Instancer interface {
	sd.Instancer
	// Instances returns the current set sorted by ID. The caller owns the
	// slice but must not modify the maps inside its elements.
	Instances() []Instance
}

// Cache holds the current instances of one service and fans changes out to
// go-kit subscribers. Backends embed it: they call Update with each full set
// and Fail when they lose the registry. It is safe for concurrent use.
//
// Like go-kit's own cache, Register sends the current state on the channel
// before it returns and Update sends to every subscriber while holding a
// lock, so subscribers must keep reading their channel until they
// Deregister (sd.NewEndpointer does).
type Cache struct {
	insts atomic.Pointer[[]Instance] // read without mu: Instances never waits for a broadcast

	mu     sync.Mutex // serializes Update, Fail, Register, Deregister and the sends
	state  sd.Event
	subs   map[chan<- sd.Event]struct{}
	synced chan struct{} // closed by the first Update or Fail
}

// NewCache returns an empty Cache. Its first state is an empty set with no
// error.
func NewCache() *Cache {
	c := &Cache{subs: map[chan<- sd.Event]struct{}{}, state: sd.Event{Instances: []string{}}, synced: make(chan struct{})}
	c.insts.Store(&[]Instance{})
	return c
}

// Update replaces the set with insts and notifies subscribers if any
// record changed (addresses, or fields only Instances shows, so that
// adapters such as Select see them) or an error was pending. Update copies
// insts.
func (c *Cache) Update(insts []Instance) {
	sorted := slices.Clone(insts)
	slices.SortFunc(sorted, func(a, b Instance) int { return strings.Compare(a.ID, b.ID) })
	addrs := make([]string, 0, len(sorted))
	for _, in := range sorted {
		addrs = append(addrs, in.Address)
	}
	slices.Sort(addrs)
	addrs = slices.Compact(addrs)
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.markSynced()
	same := c.state.Err == nil && slices.EqualFunc(*c.insts.Load(), sorted, sameInstance)
	c.insts.Store(&sorted)
	if same {
		return
	}
	c.state = sd.Event{Instances: addrs}
	c.broadcast()
}

// Fail tells subscribers that the registry is unreachable. The last known
// instances stay available from Instances (fail static); go-kit's Endpointer
// keeps its endpoints too unless built with sd.InvalidateOnError. The next
// Update clears the error.
func (c *Cache) Fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.markSynced()
	if c.state.Err != nil && c.state.Err.Error() == err.Error() {
		return
	}
	c.state = sd.Event{Err: err}
	c.broadcast()
}

// Synced is closed once the backend has reported for the first time: with
// its first set (Update) or its first failure (Fail). Until then the empty
// set Instances returns says nothing about the registry. A client that
// must not start with no instances (a gateway, say) waits on it, bounded.
func (c *Cache) Synced() <-chan struct{} { return c.synced }

// markSynced closes synced once; called with mu held.
func (c *Cache) markSynced() {
	select {
	case <-c.synced:
	default:
		close(c.synced)
	}
}

func (c *Cache) broadcast() {
	for ch := range c.subs {
		ch <- copyEvent(c.state)
	}
}

// Instances implements Instancer. It never blocks, not even while Update
// is waiting for a subscriber to read, so a subscriber may call it from the
// goroutine that reads its channel.
func (c *Cache) Instances() []Instance {
	return slices.Clone(*c.insts.Load())
}

// Register implements sd.Instancer: it sends the current state on ch, then
// every change until Deregister.
func (c *Cache) Register(ch chan<- sd.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.subs[ch] = struct{}{}
	ch <- copyEvent(c.state)
}

// Deregister implements sd.Instancer.
func (c *Cache) Deregister(ch chan<- sd.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.subs, ch)
}

// Stop implements sd.Instancer. A Cache owns no goroutine, so Stop does
// nothing; backends that embed a Cache override it.
func (c *Cache) Stop() {}

func copyEvent(e sd.Event) sd.Event {
	if e.Instances != nil {
		e.Instances = slices.Clone(e.Instances)
	}
	return e
}

func sameInstance(a, b Instance) bool {
	return a.Service == b.Service && a.ID == b.ID && a.Address == b.Address &&
		a.Version == b.Version && a.Zone == b.Zone &&
		maps.Equal(a.Transports, b.Transports) && maps.Equal(a.Metadata, b.Metadata)
}
