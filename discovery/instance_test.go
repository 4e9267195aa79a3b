package discovery_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/discovery"
)

func TestValidate(t *testing.T) {
	ok := discovery.Instance{Service: "orders", ID: "pod-1", Address: "10.0.0.1:80"}
	tests := []struct {
		name   string
		mutate func(*discovery.Instance)
		valid  bool
	}{
		{"ok", func(*discovery.Instance) {}, true},
		{"empty service", func(i *discovery.Instance) { i.Service = "" }, false},
		{"dotted service", func(i *discovery.Instance) { i.Service = "a.b" }, false},
		{"slash in id", func(i *discovery.Instance) { i.ID = "a/b" }, false},
		{"wildcard id", func(i *discovery.Instance) { i.ID = "*" }, false},
		{"long id", func(i *discovery.Instance) { i.ID = strings.Repeat("a", 129) }, false},
		{"empty address", func(i *discovery.Instance) { i.Address = "" }, false},
		{"equals and dash", func(i *discovery.Instance) { i.ID = "a-b_c=d" }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.mutate(&in)
			err := in.Validate()
			if (err == nil) != tt.valid {
				t.Fatalf("Validate(%+v): got %v, want valid=%v", in, err, tt.valid)
			}
			if err != nil && !errors.Is(err, discovery.ErrInvalidInstance) {
				t.Fatalf("Validate error: got %v, want one wrapping ErrInvalidInstance", err)
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	in := discovery.Instance{
		Service: "orders", ID: "pod-1", Address: "http://10.0.0.1:8080",
		Transports: map[string]string{"grpc": "10.0.0.1:9090"}, Version: "1.4.0", Zone: "eu-west-1a",
		Metadata: map[string]string{"canary": "true"},
	}
	data, err := discovery.Marshal(in)
	if err != nil {
		t.Fatalf("Marshal: got error %v, want nil", err)
	}
	got, err := discovery.Unmarshal(data)
	if err != nil {
		t.Fatalf("Unmarshal(%s): got error %v, want nil", data, err)
	}
	if got.Service != in.Service || got.ID != in.ID || got.Address != in.Address || got.Version != in.Version ||
		got.Zone != in.Zone || got.Transports["grpc"] != "10.0.0.1:9090" || got.Metadata["canary"] != "true" {
		t.Fatalf("round trip: got %+v, want %+v", got, in)
	}
	if _, err := discovery.Marshal(discovery.Instance{}); err == nil {
		t.Fatalf("Marshal of a zero Instance: got nil error, want one")
	}
}

func TestUnmarshalRejects(t *testing.T) {
	for _, in := range []string{
		``, `null`, `[]`, `{"service":"orders"}`, `{"service":"a","id":"b","address":"c"} {}`,
		`{"service":"a","id":"b","address":3}`, `{"service":"a.b","id":"b","address":"c"}`,
		`{"service":"a","id":"b","address":"` + strings.Repeat("x", discovery.MaxEncodedSize) + `"}`,
	} {
		if got, err := discovery.Unmarshal([]byte(in)); err == nil {
			t.Errorf("Unmarshal(%.40q): got %+v, want an error", in, got)
		}
	}
	got, err := discovery.Unmarshal([]byte(`{"service":"a","id":"b","address":"c","future":1}`))
	if err != nil || got.Address != "c" {
		t.Fatalf("Unmarshal with an unknown field: got %+v, %v, want address c, nil", got, err)
	}
}

func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`{"service":"a","id":"b","address":"c","metadata":{"k":"v"}}`))
	f.Add([]byte(`{"service":"a","id":"b","address":"c"}x`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := discovery.Unmarshal(data)
		if err != nil {
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("Unmarshal accepted an invalid instance %+v: %v", in, err)
		}
		again, err := discovery.Marshal(in)
		if err != nil {
			t.Fatalf("Marshal(Unmarshal(%q)): got %v, want nil", data, err)
		}
		if back, err := discovery.Unmarshal(again); err != nil || back.ID != in.ID || back.Address != in.Address {
			t.Fatalf("second round trip: got %+v, %v, want %+v", back, err, in)
		}
	})
}
