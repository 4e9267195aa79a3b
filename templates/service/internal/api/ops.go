package api

import (
	"context" //gantry:if grpc

	"github.com/gantrykit/gantry/endpoint" //gantry:if grpc
	"github.com/gantrykit/gantry/errs"
	grpct "github.com/gantrykit/gantry/transport/grpc" //gantry:if grpc
	httpt "github.com/gantrykit/gantry/transport/http"

	"github.com/gantrykit/gantry/templates/service/api/itemspb" //gantry:if grpc
	"github.com/gantrykit/gantry/templates/service/internal/items"
)

// The service's HTTP operations, each defined once: method, path, request
// and response types, operation name and success status. Serve serves
// them and names their middleware chains after them, the OpenAPI document
// lists them, and a Go caller calls them over discovery with
// client.Op(instancer, api.GetItem).
var (
	CreateItem = httpt.Op[items.CreateRequest, items.Item]{Method: "POST", Pattern: "/v1/items", Name: "create_item", Status: 201}
	GetItem    = httpt.Op[items.GetRequest, items.Item]{Method: "GET", Pattern: "/v1/items/{id}", Name: "get_item"}
	ListItems  = httpt.Op[items.ListRequest, items.List]{Method: "GET", Pattern: "/v1/items", Name: "list_items"}
)

// Serve serves every operation of svc on s, one block per operation: its
// endpoint (the method, its errors given their kinds), its route with its
// OpenAPI entry (the Op above, a summary, the error kinds its business
// code returns beyond the transport's) and its method of the gRPC service
// items.v1.Items with the codec between the generated messages and the
// typed request and response, each in the chain named after the
// operation. A new operation is one Op above and one block here.
func Serve(s Servers, svc *items.Service, chain Chain) {
	doc := s.docs(chain)
	var rpc []grpct.Method //gantry:if grpc

	create := withKinds(svc.Create)
	CreateItem.Handle(s.HTTP, create, doc(CreateItem.Name, "Create an item")...)
	//gantry:if grpc
	rpc = append(rpc, grpct.Unary(itemspb.Items_CreateItem_FullMethodName, endpoint.Wrap(create, chain.For(CreateItem.Name)...),
		func(_ context.Context, r *itemspb.CreateItemRequest) (items.CreateRequest, error) {
			return items.CreateRequest{Name: r.GetName()}, nil
		}, encodeItem))
	//gantry:end

	get := withKinds(svc.Get)
	GetItem.Handle(s.HTTP, get, doc(GetItem.Name, "Get an item", httpt.Errors(errs.KindNotFound))...)
	//gantry:if grpc
	rpc = append(rpc, grpct.Unary(itemspb.Items_GetItem_FullMethodName, endpoint.Wrap(get, chain.For(GetItem.Name)...),
		func(_ context.Context, r *itemspb.GetItemRequest) (items.GetRequest, error) {
			return items.GetRequest{ID: r.GetId()}, nil
		}, encodeItem))
	//gantry:end

	list := withKinds(svc.List)
	ListItems.Handle(s.HTTP, list, doc(ListItems.Name, "List the newest items")...)
	//gantry:if grpc
	rpc = append(rpc, grpct.Unary(itemspb.Items_ListItems_FullMethodName, endpoint.Wrap(list, chain.For(ListItems.Name)...),
		func(_ context.Context, r *itemspb.ListItemsRequest) (items.ListRequest, error) {
			return items.ListRequest{Limit: int(r.GetLimit())}, nil
		}, encodeList))
	s.registerGRPC(rpc)
	//gantry:end
}
