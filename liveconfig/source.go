package liveconfig

import (
	"context"
	"errors"
)

// Source is a store of configuration documents: discovery/natskv's and
// discovery/etcd's ConfigSource, or a Memory.
type Source interface {
	// Watch calls fn with the current value at key (nil when there is
	// none) and then with every change, in order, from the calling
	// goroutine, until ctx ends or the watch fails. It returns ctx's error
	// or the failure. It may repeat a value it already gave.
	Watch(ctx context.Context, key string, fn func(value []byte)) error
}

// ErrWatchEnded is returned by a Source whose watch stopped delivering;
// Overlay.Run watches again.
var ErrWatchEnded = errors.New("config: watch ended")
