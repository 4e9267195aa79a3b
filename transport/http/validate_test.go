package http

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseRules(t *testing.T) {
	tests := []struct {
		tag  string
		typ  reflect.Type
		want string // substring of the error; "" for none
	}{
		{"required,min=1,max=10", reflect.TypeFor[int](), ""},
		{"min=0.5", reflect.TypeFor[float64](), ""},
		{"email", reflect.TypeFor[*string](), ""},
		{"oneof=1 2 3", reflect.TypeFor[int8](), ""},
		{"max=3", reflect.TypeFor[[]string](), ""},
		{"required", reflect.TypeFor[time.Time](), ""},
		{"min=one", reflect.TypeFor[int](), "min wants a number"},
		{"mni=1", reflect.TypeFor[int](), `unknown rule "mni=1"`},
		{"oneof=", reflect.TypeFor[string](), "unknown rule"},
		{"min=1", reflect.TypeFor[bool](), "min/max do not apply"},
		{"email", reflect.TypeFor[int](), "email applies to strings"},
		{"oneof=a b", reflect.TypeFor[float64](), "oneof applies to strings and integers"},
	}
	for _, tt := range tests {
		r, err := parseRules(tt.tag)
		if err == nil {
			err = r.fits(tt.typ)
		}
		if got := ""; err != nil {
			got = err.Error()
			if tt.want == "" || !strings.Contains(got, tt.want) {
				t.Errorf("%q on %v: err = %q, want %q", tt.tag, tt.typ, got, tt.want)
			}
		} else if tt.want != "" {
			t.Errorf("%q on %v: no error, want %q", tt.tag, tt.typ, tt.want)
		}
	}
}

func TestRulesCheck(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := []struct {
		tag  string
		val  any
		want string
	}{
		{"required", "", "is required"},
		{"required", "x", ""},
		{"required", 0, "is required"},
		{"required", []int{}, "is required"},
		{"required", (*string)(nil), "is required"},
		{"required", str(""), "is required"},
		{"min=2", "é", "must have at least 2 characters"},
		{"max=2", "ééé", "must have at most 2 characters"},
		{"max=2", "éé", ""},
		{"min=1", 0, "must be at least 1"},
		{"min=-1.5", -2.0, "must be at least -1.5"},
		{"max=10", uint16(11), "must be at most 10"},
		{"max=1", []string{"a", "b"}, "must have at most 1 items"},
		{"min=1", map[string]int{}, "must have at least 1 items"},
		{"email", "", ""},
		{"email", "ada@example.com", ""},
		{"email", "Ada <ada@example.com>", "must be an email address"},
		{"email", "ada", "must be an email address"},
		{"oneof=a b", "c", "must be one of a, b"},
		{"oneof=a b", "b", ""},
		{"oneof=1 2", 3, "must be one of 1, 2"},
		{"oneof=1 2", int64(2), ""},
		{"oneof=a", str("b"), "must be one of a"},
		{"min=1", (*int)(nil), ""},
	}
	for _, tt := range tests {
		r, err := parseRules(tt.tag)
		if err != nil {
			t.Fatal(err)
		}
		v := reflect.New(reflect.TypeOf(tt.val))
		v.Elem().Set(reflect.ValueOf(tt.val))
		if got := r.check(v.Elem().Type(), v.UnsafePointer()); got != tt.want {
			t.Errorf("%q on %#v = %q, want %q", tt.tag, tt.val, got, tt.want)
		}
	}
}
