package liveconfig

import "sync/atomic"

// Flags is a set of feature flags that an overlay can change while the
// service runs. The zero value has every flag off. It is safe for
// concurrent use, and Enabled neither locks nor allocates.
type Flags struct {
	m atomic.Pointer[map[string]bool]
}

// Enabled reports whether the flag name is on.
func (f *Flags) Enabled(name string) bool {
	m := f.m.Load()
	return m != nil && (*m)[name]
}

// Set replaces every flag: those in m take its values, the others are off.
// Set keeps its own copy of m.
func (f *Flags) Set(m map[string]bool) {
	c := make(map[string]bool, len(m))
	for k, v := range m {
		c[k] = v
	}
	f.m.Store(&c)
}
