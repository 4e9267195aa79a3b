package http

import (
	"github.com/gantrykit/gantry/endpoint"
)

// Op is one HTTP operation defined once: its method, path pattern
// (ServeMux syntax, such as "/v1/items/{id}"), request and response types,
// operation name and success status. The server registers it (Handle), a
// client calls it (Client here, client.Op over discovery) and the
// OpenAPI document describes it, all from this one value, so that they
// cannot drift apart:
//
//	var GetItem = httpt.Op[items.GetRequest, items.Item]{Method: "GET", Pattern: "/v1/items/{id}", Name: "get_item"}
//
//	GetItem.Handle(mux, e.Get, httpt.Summary("Get an item")) // the service
//	c, err := client.Op(instancer, GetItem)                     // a caller, over discovery
//
// Name is the operation's name: the server's Named (the OpenAPI
// operationId, getItem) and the natural name for the middleware chain
// of the operation. Status is the success status (0: 200). An Op is a
// plain value, safe to share. (Route is what a Mux lists of its
// registrations, typed or not.)
type Op[Req, Resp any] struct {
	Method, Pattern, Name string
	Status                int
}

// Handle serves f as r on mux: the pattern "<Method> <Pattern>", Named(r.Name)
// and WithStatus(r.Status) come before opts. Like NewServer it panics on
// malformed tags in Req, and like Mux.Handle on a pattern that conflicts
// with another.
func (r Op[Req, Resp]) Handle(mux *Mux, f endpoint.Func[Req, Resp], opts ...ServerOption) {
	base := make([]ServerOption, 0, 2+len(opts))
	if r.Name != "" {
		base = append(base, Named(r.Name))
	}
	if r.Status != 0 {
		base = append(base, WithStatus(r.Status))
	}
	mux.Handle(r.Method+" "+r.Pattern, NewServer(f, append(base, opts...)...))
}

// Client returns a typed client of r below base ("http://items:8080"), or
// "" for one used only through Factory or EndpointFor; it fails as
// NewClient does (the pattern's wildcards must match Req's path fields).
func (r Op[Req, Resp]) Client(base string, opts ...ClientOption) (*Client[Req, Resp], error) {
	return NewClient[Req, Resp](r.Method, base, r.Pattern, opts...)
}
