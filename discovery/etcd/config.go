package etcd

import (
	"context"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/gantrykit/gantry/liveconfig"
)

// DefaultConfigPrefix is where ConfigSource keeps documents when given no
// prefix.
const DefaultConfigPrefix = "/gantry/config/"

// ConfigSource returns a liveconfig.Source that reads the document of key K
// at prefix+K (DefaultConfigPrefix if prefix is ""): a get, then a watch
// from the next revision. A deleted key reads as nil. When the watch
// fails (compaction, no leader, etcd restarted) Watch returns the error,
// and liveconfig.Overlay.Run gets and watches again. The caller owns cli.
func ConfigSource(cli *clientv3.Client, prefix string) liveconfig.Source {
	if prefix == "" {
		prefix = DefaultConfigPrefix
	}
	return configSource{cli, prefix}
}

type configSource struct {
	cli    *clientv3.Client
	prefix string
}

func (s configSource) Watch(ctx context.Context, key string, fn func([]byte)) error {
	full := s.prefix + key
	resp, err := s.cli.Get(ctx, full)
	if err != nil {
		return fmt.Errorf("etcd: config %s: %w", full, err)
	}
	if len(resp.Kvs) > 0 {
		fn(resp.Kvs[0].Value)
	} else {
		fn(nil)
	}
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	for wr := range s.cli.Watch(wctx, full, clientv3.WithRev(resp.Header.Revision+1)) {
		if err := wr.Err(); err != nil {
			return fmt.Errorf("etcd: config watch %s: %w", full, err)
		}
		for _, ev := range wr.Events {
			if ev.Type == clientv3.EventTypePut {
				fn(ev.Kv.Value)
			} else {
				fn(nil)
			}
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return liveconfig.ErrWatchEnded
}
