package liveconfig

import "sync"

// Key is one live setting of a configuration struct C: the path of its
// field in C's section, what a change does, and the field itself. A table
// of Keys, kept next to the code that applies C (middleware.LiveKeys, say),
// is the one list of what is live in C: Bind makes the table live on an
// Overlay, the owner's update applies a value with Copy, and the
// documentation is checked against it. Make Keys with Field.
type Key[C any] struct {
	// Path is the dotted YAML path of the field in C's section, e.g.
	// "rate_limit.per_second".
	Path string
	// Doc says what a change does, in a few words, for the documentation.
	Doc string

	copy     func(dst *C, src *C)
	register func(o *Overlay, key string, t *table[C])
}

// Field returns the Key at path for the field of C that field points to.
// field must return a pointer into the C it is given.
func Field[C any, T comparable](path, doc string, field func(*C) *T) Key[C] {
	return Key[C]{
		Path: path,
		Doc:  doc,
		copy: func(dst, src *C) { *field(dst) = *field(src) },
		register: func(o *Overlay, key string, t *table[C]) {
			base := *field(&t.running)
			validate := func(v T) error {
				if v == base || t.validate == nil {
					return nil // the running value is accepted as it is
				}
				var only C // the field alone, so that an error is about it
				*field(&only) = v
				return t.validate(only)
			}
			Dynamic(o, key, base, validate, func(v T) { t.set(func(c *C) { *field(c) = v }) })
		},
	}
}

// Copy sets k's field of dst to its value in src.
func (k Key[C]) Copy(dst *C, src C) { k.copy(dst, &src) }

// table is a live copy of a configuration struct.
type table[C any] struct {
	running  C
	validate func(C) error
	apply    func(C)

	mu   sync.Mutex
	live C
}

// set edits the live copy and applies it.
func (t *table[C]) set(edit func(*C)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	edit(&t.live)
	t.apply(t.live)
}

// Bind registers each key of keys as a dynamic setting of o at prefix +
// "." + its Path, over running, the configuration the owner started with:
// a key absent from an overlay has its value in running; a value is
// checked by validate (nil: any) on a zero C holding only that value, so
// that its error names the key, and the running value always passes; an
// accepted change is written to a copy of running, and apply is called
// with the copy. apply is called once per key at registration, with
// running, as Dynamic does. Bind returns the full paths it registered.
func Bind[C any](o *Overlay, prefix string, running C, keys []Key[C], validate func(C) error, apply func(C)) []string {
	t := &table[C]{running: running, live: running, validate: validate, apply: apply}
	paths := make([]string, len(keys))
	for i, k := range keys {
		paths[i] = prefix + "." + k.Path
		k.register(o, paths[i], t)
	}
	return paths
}
