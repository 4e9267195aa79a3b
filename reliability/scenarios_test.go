//go:build reliability

package reliability

// scenarios is the suite, in the order it runs.
func scenarios() []scenario {
	return []scenario{
		{name: "kill 1 of 3 instances under GET load", short: true, run: killOne},
		{name: "one instance 10x slow", short: true, run: slowOne},
		{name: "rolling restart under POST load", short: false, run: rollingRestart},
		{name: "rolling restart of kit Apps under POST load", short: false, run: rollingRestartKit},
		{name: "breaker open, half-open, closed", short: true, run: breakerTimings},
		{name: "retries under a full outage stay in budget", short: true, run: retryBudget},
		{name: "deadline propagation gateway, A, B", short: true, run: deadlinePropagation},
		{name: "deadline propagation gateway, A, B over gRPC", short: true, run: deadlineOverGRPC},
		{name: "network faults: latency, blackhole, reset", short: false, run: networkFaults},
		{name: "bad inputs: HTTP, slowloris, gRPC", short: true, run: badInputs},
		{name: "JWT attacks at the gateway", short: true, run: jwtAttacks},
		{name: "JetStream consumer crash and NATS restart", short: true, run: eventsCrash},
		{name: "overload at 3x capacity, with and without shedding", short: false, run: overload},
		{name: "registry: instance loss and restart empty (NATS KV, etcd)", short: false, run: registry},
	}
}
