package orders

// The events the order service publishes and consumes (its own copy of the
// wire format; see the product service for the other side).

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
	OrderID string     `json:"order_id"`
	Items   []LineItem `json:"items"`
}

// LineItem is one product and quantity in an event.
type LineItem struct {
	ProductID string `json:"product_id"`
	Quantity  int    `json:"quantity"`
}

// StockResult is the payload of stock.reserved and stock.rejected.
type StockResult struct {
	OrderID string `json:"order_id"`
	Reason  string `json:"reason,omitempty"`
}
