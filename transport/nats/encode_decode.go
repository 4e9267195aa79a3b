package nats

import (
	"context"
	"encoding/json"

	"github.com/nats-io/nats.go"

	"github.com/gantrykit/gantry/errs"
)

// Decoder turns a message (request or reply) into a value; it may read the
// headers. A Decoder on the server side should return an
// errs.InvalidArgument for bad input, so that the caller sees its fault.
type Decoder[T any] func(context.Context, *nats.Msg) (T, error)

// Encoder turns a value into a message body.
type Encoder[T any] func(context.Context, T) ([]byte, error)

// DecodeJSON decodes the message body as JSON into a T. Malformed JSON is an
// errs.InvalidArgument naming the problem.
func DecodeJSON[T any](_ context.Context, msg *nats.Msg) (T, error) {
	var v T
	if err := json.Unmarshal(msg.Data, &v); err != nil {
		return v, errs.Wrap(errs.KindInvalidArgument, err, "malformed JSON: %v", err)
	}
	return v, nil
}

// EncodeJSON encodes v as JSON.
func EncodeJSON[T any](_ context.Context, v T) ([]byte, error) {
	return json.Marshal(v)
}

// Header names Gantry sets on NATS messages.
const (
	// HeaderError carries the error kind (errs.Kind.String) of a failed
	// request; the body is then the problem+json document.
	HeaderError = "Gantry-Error"
	// HeaderRetryAfter carries an error's retry hint as a Go duration.
	HeaderRetryAfter = "Gantry-Retry-After"
	// HeaderTimeout carries the time the caller will wait, as a Go duration,
	// so that the subscriber's context ends when the caller gives up.
	HeaderTimeout = "Gantry-Timeout"
)
