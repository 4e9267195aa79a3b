package items

import (
	"context"
	"errors"
	"strings"
	"testing"
)

type recorder struct{ got []Created }

func (r *recorder) ItemCreated(_ context.Context, ev Created) error {
	r.got = append(r.got, ev)
	return nil
}

func TestCreateGetList(t *testing.T) {
	ctx := context.Background()
	rec := &recorder{}
	svc := NewService(NewMemory(), rec)
	var ids []string
	for _, name := range []string{"first", "  second  ", "third"} {
		it, err := svc.Create(ctx, CreateRequest{Name: name})
		if err != nil {
			t.Fatalf("Create(%q): %v", name, err)
		}
		if it.ID == "" || it.Name != strings.TrimSpace(name) {
			t.Fatalf("Create(%q) = %+v, want an ID and the trimmed name", name, it)
		}
		ids = append(ids, it.ID)
	}
	got, err := svc.Get(ctx, GetRequest{ID: ids[1]})
	if err != nil || got.Name != "second" {
		t.Fatalf("Get = %+v, %v; want second", got, err)
	}
	list, err := svc.List(ctx, ListRequest{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 2 || list.Items[0].ID != ids[2] || list.Items[1].ID != ids[1] {
		t.Errorf("List(2) = %+v, want third then second", list.Items)
	}
	// 100 characters of three bytes each: the schema's maxLength counts
	// characters, and so does Create.
	if _, err := svc.Create(ctx, CreateRequest{Name: strings.Repeat("語", 100)}); err != nil {
		t.Errorf("a 100-character name in a multi-byte script: %v, want it taken", err)
	}
	if len(rec.got) != 4 || rec.got[0].ID != ids[0] {
		t.Errorf("notified %+v, want the four items in order", rec.got)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	svc := NewService(NewMemory(), nil)
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"empty name", func() error { _, err := svc.Create(ctx, CreateRequest{Name: "  "}); return err }, ErrInvalid},
		{"long name", func() error { _, err := svc.Create(ctx, CreateRequest{Name: strings.Repeat("x", 101)}); return err }, ErrInvalid},
		{"NUL in the name", func() error { _, err := svc.Create(ctx, CreateRequest{Name: "a\x00b"}); return err }, ErrInvalid},
		{"id that is not text", func() error { _, err := svc.Get(ctx, GetRequest{ID: "a\xff"}); return err }, ErrNotFound},
		{"unknown id", func() error { _, err := svc.Get(ctx, GetRequest{ID: "nope"}); return err }, ErrNotFound},
		{"empty id", func() error { _, err := svc.Get(ctx, GetRequest{}); return err }, ErrInvalid},
		{"limit too big", func() error { _, err := svc.List(ctx, ListRequest{Limit: 101}); return err }, ErrInvalid},
		{"event without id", func() error { return svc.Observe(ctx, Created{Name: "x"}) }, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestObserveCounts(t *testing.T) {
	svc := NewService(NewMemory(), nil)
	if err := svc.Observe(context.Background(), Created{ID: "1", Name: "a"}); err != nil {
		t.Fatal(err)
	}
	if got := svc.Observed(); got != 1 {
		t.Errorf("Observed() = %d, want 1", got)
	}
}
