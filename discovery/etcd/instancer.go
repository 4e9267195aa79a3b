package etcd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// instancer follows one service; Stop ends its goroutine and waits for it.
type instancer struct {
	*discovery.Cache
	r      *Registry
	prefix string
	cancel context.CancelFunc
	done   chan struct{}
}

// Instancer starts following service. The first set arrives after the first
// successful list. Stop ends the watch and its goroutine.
func (r *Registry) Instancer(service string) (discovery.Instancer, error) {
	if err := (discovery.Instance{Service: service, ID: "x", Address: "x"}).Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instancer{Cache: discovery.NewCache(), r: r, prefix: r.prefix + service + "/", cancel: cancel, done: make(chan struct{})}
	go in.run(ctx)
	return in, nil
}

// Stop implements sd.Instancer.
func (in *instancer) Stop() {
	in.cancel()
	<-in.done
}

func (in *instancer) run(ctx context.Context) {
	defer close(in.done)
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		if err := in.listAndWatch(ctx); err != nil && ctx.Err() == nil {
			in.Fail(err)
			in.r.log.Debug("etcd watch ended", "prefix", in.prefix, "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
	}
}

// listAndWatch lists the prefix, then applies watch events until the watch
// ends. It returns an error if the list or the watch failed.
func (in *instancer) listAndWatch(ctx context.Context) error {
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	resp, err := in.r.cli.Get(lctx, in.prefix, clientv3.WithPrefix())
	cancel()
	if err != nil {
		return fmt.Errorf("etcd: list %s: %w", in.prefix, err)
	}
	entries := map[string]discovery.Instance{}
	keys := map[string]struct{}{} // every key under the prefix, decodable or not
	for _, kv := range resp.Kvs {
		keys[string(kv.Key)] = struct{}{}
		in.apply(entries, string(kv.Key), kv.Value, true)
	}
	in.publish(entries)

	rev := resp.Header.Revision
	wctx, wcancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer wcancel()
	wch := in.r.cli.Watch(wctx, in.prefix, clientv3.WithPrefix(), clientv3.WithRev(rev+1))
	resync := time.NewTicker(in.r.resync)
	defer resync.Stop()
	for {
		select {
		case <-resync.C:
			if err := in.check(ctx, rev, len(keys)); err != nil {
				return err
			}
		case wr, ok := <-wch:
			if !ok {
				return nil
			}
			if err := wr.Err(); err != nil {
				return fmt.Errorf("etcd: watch %s: %w", in.prefix, err)
			}
			rev = max(rev, wr.Header.Revision)
			for _, ev := range wr.Events {
				if ev.Type == mvccpb.PUT {
					keys[string(ev.Kv.Key)] = struct{}{}
				} else {
					delete(keys, string(ev.Kv.Key))
				}
				in.apply(entries, string(ev.Kv.Key), ev.Kv.Value, ev.Type == mvccpb.PUT)
			}
			in.publish(entries)
		}
	}
}

// errRewound makes the instancer list again: a watch resumed on a rebuilt
// or restored cluster waits for a revision the new cluster has not
// reached, or has passed by other paths, and misses changes meanwhile.
var errRewound = errors.New("etcd: the cluster's data changed under the watch; listing again")

// check asks the cluster for its revision and the number of keys under the
// prefix. A revision below the last one seen, or a count that differs from
// the keys the watch has delivered once it is past them, means the watch no
// longer follows the data.
func (in *instancer) check(ctx context.Context, rev int64, keys int) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := in.r.cli.Get(ctx, in.prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return nil // unreachable: the watch itself retries; check again later
	}
	if resp.Header.Revision < rev || resp.Header.Revision == rev && resp.Count != int64(keys) {
		return errRewound
	}
	return nil
}

func (in *instancer) apply(entries map[string]discovery.Instance, key string, value []byte, put bool) {
	id := strings.TrimPrefix(key, in.prefix)
	if !put {
		delete(entries, id)
		return
	}
	inst, err := discovery.Unmarshal(value)
	if err != nil || in.prefix != in.r.prefix+inst.Service+"/" || inst.ID != id {
		in.r.log.Warn("etcd: ignoring a bad registry entry", "key", key, "err", err)
		delete(entries, id)
		return
	}
	entries[id] = inst
}

func (in *instancer) publish(entries map[string]discovery.Instance) {
	insts := make([]discovery.Instance, 0, len(entries))
	for _, e := range entries {
		insts = append(insts, e)
	}
	in.Update(insts)
}
