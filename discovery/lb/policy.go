package lb

import "math/rand/v2"

// Policy chooses one node for a call. Get one from RoundRobin, Random or
// P2C; a Policy value is stateless and may be shared by many Balancers.
type Policy struct {
	name string
	pick func(b *Balancer, nodes []*node) *node
}

// String returns the policy's name: "round_robin", "random" or "p2c_ewma".
func (p Policy) String() string { return p.name }

// RoundRobin sends calls to the instances in turn.
func RoundRobin() Policy { return Policy{"round_robin", pickRoundRobin} }

// Random sends each call to an instance chosen uniformly at random.
func Random() Policy { return Policy{"random", pickRandom} }

// P2C is power of two choices with peak-EWMA latency × (in flight + 1): the
// default, and the one that steers away from slow and failing instances.
func P2C() Policy { return Policy{"p2c_ewma", pickP2C} }

func pickRoundRobin(b *Balancer, nodes []*node) *node {
	start := int((b.rr.Add(1) - 1) % uint64(len(nodes)))
	for i := range nodes {
		if n := nodes[(start+i)%len(nodes)]; !n.ejected() {
			return n
		}
	}
	return nodes[start]
}

func pickRandom(_ *Balancer, nodes []*node) *node {
	start := rand.IntN(len(nodes))
	for i := range nodes {
		if n := nodes[(start+i)%len(nodes)]; !n.ejected() {
			return n
		}
	}
	return nodes[start]
}

func pickP2C(b *Balancer, nodes []*node) *node {
	if len(nodes) == 1 {
		return nodes[0]
	}
	// Two distinct nodes; an ejected one is replaced by the next live one.
	r := rand.Uint64() // one draw for both indexes
	i := int((r >> 32) % uint64(len(nodes)))
	j := int((r & 0xffffffff) % uint64(len(nodes)-1))
	if j >= i {
		j++
	}
	x, y := live(nodes, i), live(nodes, j)
	if x == nil {
		return nodes[i] // every node is ejected: pick among all
	}
	if x == y {
		return x
	}
	if now := b.now(); y.load.Cost(now) < x.load.Cost(now) {
		return y
	}
	return x
}

// live returns the first node from i on that is not ejected, or nil.
func live(nodes []*node, i int) *node {
	for k := range nodes {
		if n := nodes[(i+k)%len(nodes)]; !n.ejected() {
			return n
		}
	}
	return nil
}
