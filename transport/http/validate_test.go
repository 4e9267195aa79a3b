package http

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCompileRules(t *testing.T) {
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
		{"max=3", reflect.TypeFor[map[string]int](), ""},
		{"required", reflect.TypeFor[time.Time](), ""},
		{"max=72,maxbytes=72", reflect.TypeFor[string](), ""},
		{"min=one", reflect.TypeFor[int](), "wants a number"},
		{"max=1.5", reflect.TypeFor[string](), "whole number"},
		{"mni=1", reflect.TypeFor[int](), `unknown rule "mni=1"`},
		{"oneof=", reflect.TypeFor[string](), "unknown rule"},
		{"required=1", reflect.TypeFor[string](), "unknown rule"},
		{"min=1", reflect.TypeFor[bool](), "does not apply"},
		{"email", reflect.TypeFor[int](), "applies to strings"},
		{"maxbytes=3", reflect.TypeFor[[]byte](), "applies to strings"},
		{"maxbytes=-1", reflect.TypeFor[string](), "whole number"},
		{"oneof=a b", reflect.TypeFor[float64](), "applies to strings and integers"},
		{"oneof=a b", reflect.TypeFor[int](), "wants integers"},
	}
	for _, tt := range tests {
		_, err := compileRules(tt.tag, tt.typ)
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

// TestRuleTable checks every rule both ways: what its check says of a
// value, and the constraint its schema states, in JSON Schema's units.
func TestRuleTable(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := []struct {
		tag    string
		val    any
		want   string // the check's message; "" passes
		schema string // the constraint, as JSON
	}{
		{"min=2", "é", "must have at least 2 characters", `{"minLength":2}`},
		{"max=2", "ééé", "must have at most 2 characters", `{"maxLength":2}`},
		{"max=2", "éé", "", `{"maxLength":2}`},
		{"min=1", "", "must have at least 1 characters", `{"minLength":1}`},
		{"maxbytes=4", "éé", "", `{"maxLength":4,"x-maxBytes":4}`},
		{"maxbytes=4", "ééé", "must have at most 4 bytes in UTF-8", `{"maxLength":4,"x-maxBytes":4}`},
		{"max=3,maxbytes=8", "日本語", "must have at most 8 bytes in UTF-8", `{"maxLength":3,"x-maxBytes":8}`},
		{"max=9,maxbytes=4", "abcd", "", `{"maxLength":4,"x-maxBytes":4}`},
		{"min=1", 0, "must be at least 1", `{"minimum":1}`},
		{"min=-1.5", -2.0, "must be at least -1.5", `{"minimum":-1.5}`},
		{"max=10", uint16(11), "must be at most 10", `{"maximum":10}`},
		{"max=10", int64(10), "", `{"maximum":10}`},
		{"max=1", []string{"a", "b"}, "must have at most 1 items", `{"maxItems":1}`},
		{"min=1", map[string]int{}, "must have at least 1 items", `{"minProperties":1}`},
		{"email", "", "must be an email address", `{"format":"email"}`},
		{"email", "ada@example.com", "", `{"format":"email"}`},
		{"email", "Ada <ada@example.com>", "must be an email address", `{"format":"email"}`},
		{"oneof=a b", "c", "must be one of a, b", `{"enum":["a","b"]}`},
		{"oneof=a b", "", "must be one of a, b", `{"enum":["a","b"]}`},
		{"oneof=1 2", 3, "must be one of 1, 2", `{"enum":[1,2]}`},
		{"oneof=1 2", int64(2), "", `{"enum":[1,2]}`},
		{"oneof=a", str("b"), "must be one of a", `{"enum":["a"]}`},
		{"min=1", (*int)(nil), "", `{"minimum":1}`},
		{"required", "", "", `{}`},
	}
	for _, tt := range tests {
		typ := reflect.TypeOf(tt.val)
		r, err := compileRules(tt.tag, typ)
		if err != nil {
			t.Fatal(err)
		}
		v := reflect.New(typ)
		v.Elem().Set(reflect.ValueOf(tt.val))
		if got := r.run(typ, v.UnsafePointer()); got != tt.want {
			t.Errorf("%q on %#v = %q, want %q", tt.tag, tt.val, got, tt.want)
		}
		var s schema
		r.schema(&s)
		if b, _ := json.Marshal(&s); string(b) != tt.schema {
			t.Errorf("%q: schema %s, want %s", tt.tag, b, tt.schema)
		}
	}
}
