package http

import (
	"net/netip"
	"reflect"
	"testing"
	"time"
)

type level int16

// TestSetterFormatterRoundTrip parses each supported parameter type and
// formats it back.
func TestSetterFormatterRoundTrip(t *testing.T) {
	tests := []struct {
		typ     reflect.Type
		in, out string
		want    any
	}{
		{reflect.TypeFor[string](), "a b", "a b", "a b"},
		{reflect.TypeFor[bool](), "1", "true", true},
		{reflect.TypeFor[int8](), "-128", "-128", int8(-128)},
		{reflect.TypeFor[int16](), "-300", "-300", int16(-300)},
		{reflect.TypeFor[level](), "7", "7", level(7)},
		{reflect.TypeFor[int32](), "-70000", "-70000", int32(-70000)},
		{reflect.TypeFor[int](), "-9007199254740993", "-9007199254740993", -9007199254740993},
		{reflect.TypeFor[uint8](), "255", "255", uint8(255)},
		{reflect.TypeFor[uint16](), "65535", "65535", uint16(65535)},
		{reflect.TypeFor[uint32](), "4294967295", "4294967295", uint32(4294967295)},
		{reflect.TypeFor[uint64](), "18446744073709551615", "18446744073709551615", uint64(18446744073709551615)},
		{reflect.TypeFor[float32](), "1.5", "1.5", float32(1.5)},
		{reflect.TypeFor[float64](), "-2.25e3", "-2250", -2250.0},
		{reflect.TypeFor[time.Duration](), "90s", "1m30s", 90 * time.Second},
		{reflect.TypeFor[time.Time](), "2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{reflect.TypeFor[netip.Addr](), "10.0.0.1", "10.0.0.1", netip.MustParseAddr("10.0.0.1")},
	}
	for _, tt := range tests {
		set, err := newSetter(tt.typ)
		if err != nil {
			t.Fatalf("%v: %v", tt.typ, err)
		}
		format, err := newFormatter(tt.typ)
		if err != nil {
			t.Fatalf("%v: %v", tt.typ, err)
		}
		v := reflect.New(tt.typ)
		if err := set(v.UnsafePointer(), tt.in); err != nil {
			t.Errorf("%v: set(%q) = %v", tt.typ, tt.in, err)
			continue
		}
		if got := v.Elem().Interface(); !reflect.DeepEqual(got, reflect.ValueOf(tt.want).Convert(tt.typ).Interface()) {
			t.Errorf("%v: set(%q) = %v, want %v", tt.typ, tt.in, got, tt.want)
		}
		if got, ok := format(v.UnsafePointer()); got != tt.out || !ok {
			t.Errorf("%v: format = %q, %v; want %q, true", tt.typ, got, ok, tt.out)
		}
	}
}

func TestSetterRejects(t *testing.T) {
	tests := []struct {
		typ  reflect.Type
		in   string
		want string
	}{
		{reflect.TypeFor[int8](), "128", "want integer"},
		{reflect.TypeFor[uint](), "-1", "want non-negative integer"},
		{reflect.TypeFor[float32](), "x", "want number"},
		{reflect.TypeFor[bool](), "yes", "want boolean"},
		{reflect.TypeFor[*int](), "1.5", "want integer"},
	}
	for _, tt := range tests {
		set, _ := newSetter(tt.typ)
		err := set(reflect.New(tt.typ).UnsafePointer(), tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%v: set(%q) = %v, want %q", tt.typ, tt.in, err, tt.want)
		}
	}
	if _, err := newSetter(reflect.TypeFor[map[string]int]()); err == nil {
		t.Error("a map parameter was accepted")
	}
	var p *int
	format, _ := newFormatter(reflect.TypeFor[*int]())
	if s, ok := format(reflect.ValueOf(&p).UnsafePointer()); ok || s != "" {
		t.Errorf("nil pointer formats as %q, %v; want omitted", s, ok)
	}
}
