package api

import (
	"context"
	"time"

	grpct "github.com/gantrykit/gantry/transport/grpc"

	"github.com/gantrykit/gantry/templates/service/api/itemspb"
	"github.com/gantrykit/gantry/templates/service/internal/items"
)

// registerGRPC serves the methods Serve binds as the gRPC service
// items.v1.Items on s.GRPC, if any: no hand-written implementation of the
// generated interface, and a method of items.proto that Serve does not
// bind answers Unimplemented.
func (s Servers) registerGRPC(methods []grpct.Method) {
	if s.GRPC != nil {
		grpct.Register(s.GRPC, &itemspb.Items_ServiceDesc, methods...)
	}
}

// The codec of the messages several methods share.

func encodeItem(_ context.Context, it items.Item) (*itemspb.Item, error) {
	return itemToProto(it), nil
}

func encodeList(_ context.Context, l items.List) (*itemspb.ItemList, error) {
	out := &itemspb.ItemList{Items: make([]*itemspb.Item, len(l.Items))}
	for i, it := range l.Items {
		out.Items[i] = itemToProto(it)
	}
	return out, nil
}

func itemToProto(it items.Item) *itemspb.Item {
	return &itemspb.Item{Id: it.ID, Name: it.Name, CreatedUnixMs: it.Created.UnixMilli()}
}

// ItemFromProto is the client side's decoder: a reply back into an Item.
func ItemFromProto(_ context.Context, p *itemspb.Item) (items.Item, error) {
	return items.Item{ID: p.GetId(), Name: p.GetName(), Created: time.UnixMilli(p.GetCreatedUnixMs()).UTC()}, nil
}
