package api

import (
	httpt "github.com/gantrykit/gantry/transport/http"

	"github.com/gantrykit/gantry/templates/service/internal/items"
)

// The service's HTTP operations, each defined once: method, path, request
// and response types, operation name and success status. Routes serves
// them, NewEndpoints names their middleware chains after them, the OpenAPI
// document lists them, and a Go caller calls them over discovery with
// client.Op(instancer, api.GetItem).
var (
	CreateItem = httpt.Op[items.CreateRequest, items.Item]{Method: "POST", Pattern: "/v1/items", Name: "create_item", Status: 201}
	GetItem    = httpt.Op[items.GetRequest, items.Item]{Method: "GET", Pattern: "/v1/items/{id}", Name: "get_item"}
	ListItems  = httpt.Op[items.ListRequest, items.List]{Method: "GET", Pattern: "/v1/items", Name: "list_items"}
)
