package http

import (
	"reflect"
	"testing"
)

type page[T any] struct {
	Items []T `json:"items"`
}

type item struct {
	ID string `json:"id"`
}

func TestComponentNames(t *testing.T) {
	tests := map[string]string{
		"Order": "Order",
		"page[github.com/gantrykit/gantry/transport/http.item]": "page_item",
		"Pair[a.B,c.D]": "Pair_B_D",
		"odd name":      "odd_name",
	}
	for in, want := range tests {
		if got := componentName(in); got != want {
			t.Errorf("componentName(%q) = %q, want %q", in, got, want)
		}
	}
	g := newSchemaGen()
	s := g.of(reflect.TypeFor[page[item]](), toClient)
	if s.Ref != "#/components/schemas/page_item" || g.components["page_item"].Properties["items"].Items.Ref != "#/components/schemas/item" {
		t.Errorf("generic schema = %+v, components %v", s, g.components)
	}
	// A second type with a taken name gets its package's name in front.
	type item struct {
		N int `json:"n"`
	}
	if s := g.of(reflect.TypeFor[item](), toClient); s.Ref != "#/components/schemas/http.item" {
		t.Errorf("colliding name: $ref %q, want #/components/schemas/http.item", s.Ref)
	}
}
