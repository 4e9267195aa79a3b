package events

import "encoding/json"

// Codec turns event payloads into bytes and back. Implementations must be
// safe for concurrent use.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
	// ContentType names the encoding in the Content-Type header.
	ContentType() string
}

// JSON is the default Codec: encoding/json.
type JSON struct{}

// Marshal implements Codec.
func (JSON) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal implements Codec.
func (JSON) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// ContentType implements Codec.
func (JSON) ContentType() string { return "application/json" }

// Header names Gantry sets on event messages, besides Nats-Msg-Id (the
// event ID) and the trace context headers.
const (
	HeaderType        = "Gantry-Event-Type"
	HeaderVersion     = "Gantry-Event-Version"
	HeaderContentType = "Content-Type"

	// Dead letters keep every header of the original and add these.
	HeaderDeadReason     = "Gantry-Dead-Reason"
	HeaderDeadStream     = "Gantry-Dead-Stream"
	HeaderDeadConsumer   = "Gantry-Dead-Consumer"
	HeaderDeadSubject    = "Gantry-Dead-Subject"
	HeaderDeadSequence   = "Gantry-Dead-Sequence"
	HeaderDeadDeliveries = "Gantry-Dead-Deliveries"
)
