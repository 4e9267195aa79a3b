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
	httpt "github.com/gantrykit/gantry/transport/http"

	"github.com/gantrykit/gantry/templates/service/api/itemspb"
	"github.com/gantrykit/gantry/templates/service/internal/items"
)

// TestGRPC calls every operation of the real gRPC server over loopback
// with the generated client, as another service would.
func TestGRPC(t *testing.T) {
	srv := grpct.NewServer()
	Serve(Servers{HTTP: httpt.NewMux(), GRPC: srv}, items.NewService(items.NewMemory(), nil), nil)
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
	c := itemspb.NewItemsClient(cc)

	ctx := context.Background()
	p, err := c.CreateItem(ctx, &itemspb.CreateItemRequest{Name: "lamp"})
	if err != nil || p.GetId() == "" || p.GetName() != "lamp" {
		t.Fatalf("CreateItem = %v, %v; want lamp with an ID", p, err)
	}
	it, _ := ItemFromProto(ctx, p)
	got, err := c.GetItem(ctx, &itemspb.GetItemRequest{Id: it.ID})
	if g, _ := ItemFromProto(ctx, got); err != nil || g != it {
		t.Errorf("GetItem = %+v, %v; want %+v", g, err, it)
	}
	list, err := c.ListItems(ctx, &itemspb.ListItemsRequest{Limit: 5})
	if err != nil || len(list.GetItems()) != 1 || list.GetItems()[0].GetId() != it.ID {
		t.Errorf("ListItems = %v, %v; want the one item", list, err)
	}
	// Errors keep their kind across the wire (grpct.FromStatus).
	if _, err := c.GetItem(ctx, &itemspb.GetItemRequest{Id: "nope"}); !errors.Is(grpct.FromStatus(err), errs.KindNotFound) {
		t.Errorf("GetItem(nope): got %v, want not found", err)
	}
	if _, err := c.CreateItem(ctx, &itemspb.CreateItemRequest{}); !errors.Is(grpct.FromStatus(err), errs.KindInvalidArgument) {
		t.Errorf("CreateItem(\"\"): got %v, want invalid argument", err)
	}
	if _, err := c.ListItems(ctx, &itemspb.ListItemsRequest{Limit: 1000}); !errors.Is(grpct.FromStatus(err), errs.KindInvalidArgument) {
		t.Errorf("ListItems(1000): got %v, want invalid argument", err)
	}
}
