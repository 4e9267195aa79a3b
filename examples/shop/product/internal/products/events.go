package products

// The events the product service consumes and publishes. Each service keeps
// its own copy of the shapes it reads, so that services share a wire format,
// not a Go package.

// Subjects and streams of the shop's events.
const (
	SubjectOrderCreated  = "orders.created"
	SubjectStockReserved = "stock.reserved"
	SubjectStockRejected = "stock.rejected"
	StreamOrders         = "ORDERS"
	StreamStock          = "STOCK"
)

// OrderCreated is the payload of orders.created.
type OrderCreated struct {
	OrderID string      `json:"order_id"`
	Items   []OrderLine `json:"items"`
}

// OrderLine is one product and quantity of an order.
type OrderLine struct {
	ProductID string `json:"product_id"`
	Quantity  int    `json:"quantity"`
}

// StockResult is the payload of stock.reserved and stock.rejected.
type StockResult struct {
	OrderID string `json:"order_id"`
	Reason  string `json:"reason,omitempty"`
}
