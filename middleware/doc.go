// Package middleware holds Gantry's endpoint middleware, one package per
// concern. Every one is an ordinary go-kit endpoint.Middleware, so Gantry's
// and go-kit's mix freely.
//
// The recommended server order, outermost first, and why:
//
//	recovery  first, so a panic anywhere below becomes an Internal error
//	tracing   so every later step runs inside the span
//	metrics   so rejections below are counted with their outcome
//	logging   so rejections are logged with trace ids
//	shed      cheapest overload defence, before any work is done
//	ratelimit
//	breaker
//	timeout   last, so the deadline covers only the service call
package middleware
