package api

import (
	"github.com/gantrykit/gantry/examples/shop/order/internal/orders"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// The order API's HTTP operations, each defined once: method, path,
// request and response types, operation name (the chain's, and the
// OpenAPI operationId: createOrder) and success status. Routes serves
// them, the OpenAPI document lists them, and the gateway's route table is
// checked against that document.
var (
	CreateOrder = httpt.Op[orders.PlaceOrder, orders.Order]{Method: "POST", Pattern: "/api/v1/orders", Name: "create_order", Status: 202}
	GetOrder    = httpt.Op[orders.GetOrder, orders.Order]{Method: "GET", Pattern: "/api/v1/orders/{id}", Name: "get_order"}
	ListOrders  = httpt.Op[orders.ListOrders, orders.OrderList]{Method: "GET", Pattern: "/api/v1/orders", Name: "list_orders"}
)
