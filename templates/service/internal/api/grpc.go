package api

import (
	"context"
	"time"

	"google.golang.org/grpc"

	"github.com/gantrykit/gantry/endpoint"
	grpct "github.com/gantrykit/gantry/transport/grpc"

	"github.com/gantrykit/gantry/templates/service/api/itemspb"
	"github.com/gantrykit/gantry/templates/service/internal/items"
)

// RegisterGRPC serves the endpoints as the gRPC service items.v1.Items on
// s (the App's grpckit.NewServer, or a transport/grpc Server in tests).
func RegisterGRPC(s grpc.ServiceRegistrar, e Endpoints) {
	s.RegisterService(&itemspb.Items_ServiceDesc, &grpcItems{
		create: grpct.NewHandler(endpoint.Wrap(e.Create, e.For(CreateItem.Name)...), decodeCreate, encodeItem),
		get:    grpct.NewHandler(endpoint.Wrap(e.Get, e.For(GetItem.Name)...), decodeGet, encodeItem),
	})
}

// grpcItems implements the generated interface with one line per method.
type grpcItems struct {
	itemspb.UnimplementedItemsServer
	create *grpct.Handler[*itemspb.CreateItemRequest, *itemspb.Item]
	get    *grpct.Handler[*itemspb.GetItemRequest, *itemspb.Item]
}

func (s *grpcItems) CreateItem(ctx context.Context, r *itemspb.CreateItemRequest) (*itemspb.Item, error) {
	return s.create.Serve(ctx, r)
}

func (s *grpcItems) GetItem(ctx context.Context, r *itemspb.GetItemRequest) (*itemspb.Item, error) {
	return s.get.Serve(ctx, r)
}

func decodeCreate(_ context.Context, r *itemspb.CreateItemRequest) (items.CreateRequest, error) {
	return items.CreateRequest{Name: r.GetName()}, nil
}

func decodeGet(_ context.Context, r *itemspb.GetItemRequest) (items.GetRequest, error) {
	return items.GetRequest{ID: r.GetId()}, nil
}

func encodeItem(_ context.Context, it items.Item) (*itemspb.Item, error) {
	return &itemspb.Item{Id: it.ID, Name: it.Name, CreatedUnixMs: it.Created.UnixMilli()}, nil
}

// ItemFromProto is the client side's decoder: a reply back into an Item.
func ItemFromProto(_ context.Context, p *itemspb.Item) (items.Item, error) {
	return items.Item{ID: p.GetId(), Name: p.GetName(), Created: time.UnixMilli(p.GetCreatedUnixMs()).UTC()}, nil
}
