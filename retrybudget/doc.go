// Package retrybudget bounds retries so that they cannot multiply an
// outage: a [Budget] lets retries be at most a ratio of requests plus a
// small reserve per second, over a rolling ten-second window, as the retry
// budgets of Finagle and Linkerd do.
//
// It is base vocabulary, shared by every retry loop in Gantry: the retry
// middleware (middleware/retry) keeps one per operation, the balancer's
// retry (discovery/lb.Retry) and the one-line clients (client) take one,
// and the gateway keeps one per upstream service. Share one Budget among
// the endpoints that call one service to budget that service as a whole.
//
//	b := retrybudget.New(retrybudget.DefaultRatio, retrybudget.DefaultPerSec)
//	b.Request()      // a first attempt
//	if b.Retry() {   // may I try again?
//		...
//	}
package retrybudget
