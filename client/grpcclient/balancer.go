package grpcclient

import (
	"encoding/json"
	"fmt"
	"sync"

	"google.golang.org/grpc/balancer"
	"google.golang.org/grpc/balancer/endpointsharding"
	"google.golang.org/grpc/balancer/pickfirst"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/serviceconfig"
)

// BalancerName is the name under which the balancer is registered with
// grpc-go, once, when the package is initialised.
//
// grpc-go offers no way to hand a balancer to one connection: a policy is
// found by name in its process-wide registry (balancer.Register, which it
// documents as init-time only and not safe for concurrent use). So the
// package registers one stateless builder under this name, which no other
// library uses, and only if the name is free. Everything a connection
// needs (its options, the statistics and breakers of its instances) reaches
// the balancer through its own resolver's state, so connections share
// nothing.
const BalancerName = "gantry_p2c_peak_ewma_v1"

func init() {
	if balancer.Get(BalancerName) == nil {
		balancer.Register(balancerBuilder{})
	}
}

// serviceConfig selects the balancer and grpc-go's client-side health
// checking of each instance's overall status (the "" service, which a
// draining Gantry server turns NOT_SERVING before it stops).
const serviceConfig = `{"loadBalancingConfig":[{"` + BalancerName + `":{}}],"healthCheckConfig":{"serviceName":""}}`

type balancerBuilder struct{}

func (balancerBuilder) Name() string { return BalancerName }

type lbConfig struct {
	serviceconfig.LoadBalancingConfig `json:"-"`
}

func (balancerBuilder) ParseConfig(js json.RawMessage) (serviceconfig.LoadBalancingConfig, error) {
	var c lbConfig
	if err := json.Unmarshal(js, &c); err != nil {
		return nil, fmt.Errorf("grpcclient: balancer config: %w", err)
	}
	return &c, nil
}

// Build makes the balancer of one connection: one pick-first child per
// instance (endpointsharding), which keeps grpc-go's connection management,
// reconnect back-off and health checking, and a power-of-two-choices
// picker over the ready ones.
func (balancerBuilder) Build(cc balancer.ClientConn, opts balancer.BuildOptions) balancer.Balancer {
	b := &p2cBalancer{ClientConn: cc}
	b.child = endpointsharding.NewBalancer(b, opts, balancer.Get(pickfirst.Name).Build, endpointsharding.Options{})
	return b
}

// p2cBalancer sits between grpc-go and the endpointsharding child: it
// passes resolver states down and turns the child's states into pickers.
type p2cBalancer struct {
	balancer.ClientConn // the child's UpdateState calls come to this type's UpdateState
	child               balancer.Balancer

	mu    sync.Mutex
	state *connState
}

func (b *p2cBalancer) UpdateClientConnState(s balancer.ClientConnState) error {
	st, _ := s.ResolverState.Attributes.Value(stateKey{}).(*connState)
	if st == nil { // the balancer chosen by name under another resolver
		st = newConnState(config{}.withDefaults())
	}
	addrs := make([]string, 0, len(s.ResolverState.Endpoints))
	for _, ep := range s.ResolverState.Endpoints {
		if len(ep.Addresses) > 0 {
			addrs = append(addrs, ep.Addresses[0].Addr)
		}
	}
	st.keep(addrs)
	b.mu.Lock()
	b.state = st
	b.mu.Unlock()
	return b.child.UpdateClientConnState(balancer.ClientConnState{
		ResolverState: pickfirst.EnableHealthListener(s.ResolverState),
	})
}

// UpdateState receives the child's state: with ready instances, the picker
// balances over them; without, the child's own picker (which queues calls
// or fails them with the last connection error) stands.
func (b *p2cBalancer) UpdateState(s balancer.State) {
	var ready []pickEndpoint
	b.mu.Lock()
	st := b.state
	b.mu.Unlock()
	for _, c := range endpointsharding.ChildStatesFromPicker(s.Picker) {
		if c.State.ConnectivityState != connectivity.Ready || len(c.Endpoint.Addresses) == 0 || st == nil {
			continue
		}
		ready = append(ready, pickEndpoint{picker: c.State.Picker, stats: st.stats(c.Endpoint.Addresses[0].Addr)})
	}
	if len(ready) == 0 {
		b.ClientConn.UpdateState(s)
		return
	}
	b.ClientConn.UpdateState(balancer.State{ConnectivityState: connectivity.Ready, Picker: &picker{eps: ready, st: st}})
}

func (b *p2cBalancer) ResolverError(err error) { b.child.ResolverError(err) }
func (b *p2cBalancer) ExitIdle()               { b.child.ExitIdle() }
func (b *p2cBalancer) Close()                  { b.child.Close() }

// UpdateSubConnState is not called: the children own their SubConns.
func (b *p2cBalancer) UpdateSubConnState(balancer.SubConn, balancer.SubConnState) {}
