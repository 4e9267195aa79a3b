package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gantrykit/gantry/templates/service/internal/items"
)

// testRepository checks one database against the Repository contract,
// through Open so that the migrations run too.
func testRepository(t *testing.T, cfg Config) {
	ctx := context.Background()
	db, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	base := time.Now().UTC().Truncate(time.Millisecond)
	id := base.Format("150405.000")
	for i, name := range []string{"a", "b", "c"} {
		it := items.Item{ID: id + name, Name: name, Created: base.Add(time.Duration(i) * time.Hour)}
		if err := db.Create(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Get(ctx, id+"b")
	if err != nil || got.Name != "b" || !got.Created.Equal(base.Add(time.Hour)) {
		t.Errorf("Get = %+v, %v; want b created at %v", got, err, base.Add(time.Hour))
	}
	if _, err := db.Get(ctx, "nope"); !errors.Is(err, items.ErrNotFound) {
		t.Errorf("Get(nope): got %v, want ErrNotFound", err)
	}
	list, err := db.List(ctx, 2)
	if err != nil || len(list) != 2 || list[0].Name != "c" || list[1].Name != "b" {
		t.Errorf("List(2) = %+v, %v; want c, b", list, err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestOpenRefusesBadConfig(t *testing.T) {
	for _, cfg := range []Config{{Driver: "oracle", DSN: "x"}, {Driver: "sqlite"}} {
		if _, err := Open(context.Background(), cfg); err == nil {
			t.Errorf("Open(%+v): got nil error, want one", cfg)
		}
	}
}
