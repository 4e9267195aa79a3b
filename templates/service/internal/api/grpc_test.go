package api

import (
	"context"
	"errors"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/gantrykit/gantry/errs"
	grpct "github.com/gantrykit/gantry/transport/grpc"

	"github.com/gantrykit/gantry/templates/service/api/itemspb"
	"github.com/gantrykit/gantry/templates/service/internal/items"
)

// TestGRPC calls the real gRPC server over loopback with typed clients.
func TestGRPC(t *testing.T) {
	srv := grpct.NewServer()
	RegisterGRPC(srv, NewEndpoints(items.NewService(items.NewMemory(), nil), nil))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() {
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		<-served
	})
	cc, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })

	create := grpct.NewClient(cc, itemspb.Items_CreateItem_FullMethodName,
		func(_ context.Context, name string) (*itemspb.CreateItemRequest, error) {
			return &itemspb.CreateItemRequest{Name: name}, nil
		}, ItemFromProto)
	get := grpct.NewClient(cc, itemspb.Items_GetItem_FullMethodName,
		func(_ context.Context, id string) (*itemspb.GetItemRequest, error) {
			return &itemspb.GetItemRequest{Id: id}, nil
		}, ItemFromProto)

	ctx := context.Background()
	it, err := create(ctx, "lamp")
	if err != nil || it.ID == "" || it.Name != "lamp" {
		t.Fatalf("CreateItem = %+v, %v; want lamp with an ID", it, err)
	}
	got, err := get(ctx, it.ID)
	if err != nil || got != it {
		t.Errorf("GetItem = %+v, %v; want %+v", got, err, it)
	}
	if _, err := get(ctx, "nope"); !errors.Is(err, errs.KindNotFound) {
		t.Errorf("GetItem(nope): got %v, want not found", err)
	}
	if _, err := create(ctx, ""); !errors.Is(err, errs.KindInvalidArgument) {
		t.Errorf("CreateItem(\"\"): got %v, want invalid argument", err)
	}
}
