package http

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"testing"
	"time"
	"unsafe"
)

type flatLevel string

type flatAll struct {
	S      string    `json:"s"`
	SO     string    `json:"so,omitempty"`
	Named  flatLevel `json:"named"`
	B      bool      `json:"b"`
	BO     bool      `json:"bo,omitempty"`
	I      int       `json:"i"`
	IO     int       `json:"io,omitempty"`
	I8     int8      `json:"i8"`
	I16    int16     `json:"i16"`
	I32    int32     `json:"i32,omitempty"`
	I64    int64     `json:"i64"`
	U      uint      `json:"u"`
	U8     uint8     `json:"u8,omitempty"`
	U16    uint16    `json:"u16"`
	U32    uint32    `json:"u32"`
	U64    uint64    `json:"u64,omitempty"`
	UP     uintptr   `json:"up"`
	Untag  string
	Skip   string `json:"-"`
	hidden string //nolint:unused // unexported: encoding/json leaves it out
}

// jsonOf is what encoding/json's Encoder writes for v.
func jsonOf(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return buf.Bytes()
}

func flatOf[T any](t *testing.T, v T) []byte {
	t.Helper()
	e := newFlatEncoder(reflect.TypeFor[T]())
	if e == nil {
		t.Fatalf("newFlatEncoder(%v): got nil, want an encoder", reflect.TypeFor[T]())
	}
	return e.appendJSON(nil, unsafe.Pointer(&v))
}

func TestFlatEncoderMatchesEncodingJSON(t *testing.T) {
	strs := []string{"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnew\nline\rcr\bbs\fff",
		"\x00\x01\x1f\x7f", "é ü 日本 🎉", "bad \xff utf8 \xc3", "sep \u2028 \u2029 end", "trailing \xe2\x80"}
	for i, s := range strs {
		v := flatAll{S: s, SO: s, Named: flatLevel(s), Untag: s, Skip: s, hidden: s,
			B: i%2 == 0, BO: i%3 == 0, I: -i * 1000, IO: i % 2, I8: -128, I16: 32767, I32: int32(i),
			I64: -1 << 63, U: uint(i), U8: uint8(i), U16: 65535, U32: 1<<32 - 1, U64: uint64(i) << 60, UP: uintptr(i)}
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			if got, want := flatOf(t, v), jsonOf(t, v); !bytes.Equal(got, want) {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
	type empty struct{}
	if got, want := flatOf(t, empty{}), jsonOf(t, empty{}); !bytes.Equal(got, want) {
		t.Errorf("empty struct: got %s, want %s", got, want)
	}
}

type flatMarshaler struct{ A string }

func (flatMarshaler) MarshalJSON() ([]byte, error) { return []byte(`"custom"`), nil }

type flatText string

func (*flatText) MarshalText() ([]byte, error) { return []byte("text"), nil }

type flatInner struct{ A string }

func TestFlatEncoderLeavesOtherTypesToEncodingJSON(t *testing.T) {
	cases := []struct {
		name string
		typ  reflect.Type
	}{
		{"not a struct", reflect.TypeFor[string]()},
		{"pointer", reflect.TypeFor[*flatAll]()},
		{"marshaler", reflect.TypeFor[flatMarshaler]()},
		{"text marshaler field", reflect.TypeFor[struct{ A flatText }]()},
		{"float", reflect.TypeFor[struct{ F float64 }]()},
		{"time", reflect.TypeFor[struct{ T time.Time }]()},
		{"slice", reflect.TypeFor[struct{ L []string }]()},
		{"pointer field", reflect.TypeFor[struct{ P *string }]()},
		{"nested struct", reflect.TypeFor[struct{ N flatInner }]()},
		{"embedded", reflect.TypeFor[struct{ flatInner }]()},
		{"string option", reflect.TypeFor[struct {
			N int `json:"n,string"`
		}]()},
		{"omitzero", reflect.TypeFor[struct {
			N int `json:"n,omitzero"`
		}]()},
		{"key needing escapes", reflect.TypeFor[struct {
			A string `json:"a<b"`
		}]()},
		{"duplicate key", reflect.TypeFor[struct {
			A string
			B string `json:"A"`
		}]()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if e := newFlatEncoder(c.typ); e != nil {
				t.Errorf("newFlatEncoder(%v): got an encoder, want nil", c.typ)
			}
		})
	}
}

// FuzzFlatEncoder checks the flat encoder against encoding/json on
// arbitrary strings and numbers.
func FuzzFlatEncoder(f *testing.F) {
	f.Add("hello", "", int64(0), uint64(0), true)
	f.Add("<&>\u2028\xff\x00\"\\", "x\ty", int64(-1), uint64(1<<63), false)
	f.Fuzz(func(t *testing.T, s, so string, n int64, u uint64, b bool) {
		v := flatAll{S: s, SO: so, Named: flatLevel(so), Untag: s, B: b, BO: !b, I: int(n), IO: int(n % 3),
			I8: int8(n), I16: int16(n), I32: int32(n), I64: n, U: uint(u), U8: uint8(u), U16: uint16(u),
			U32: uint32(u), U64: u, UP: uintptr(u)}
		if got, want := flatOf(t, v), jsonOf(t, v); !bytes.Equal(got, want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	})
}

func TestServerWritesFlatAnswersAsEncodingJSON(t *testing.T) {
	want := flatAll{S: "<hi>", I: 7, Named: "n\u2028"}
	for _, status := range []int{http.StatusOK, http.StatusCreated} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			s := NewServer(func(context.Context, struct{}) (flatAll, error) { return want, nil }, WithStatus(status))
			if s.flat == nil {
				t.Fatal("got no flat encoder for flatAll, want one")
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			if rec.Code != status {
				t.Errorf("got status %d, want %d", rec.Code, status)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("got Content-Type %q, want application/json", ct)
			}
			if got, want := rec.Body.Bytes(), jsonOf(t, want); !bytes.Equal(got, want) {
				t.Errorf("got body %s, want %s", got, want)
			}
		})
	}
}

type upperName string

func (u *upperName) UnmarshalText(b []byte) error { *u = upperName(bytes.ToUpper(b)); return nil }

func TestStringPathsOnly(t *testing.T) {
	cases := []struct {
		name string
		typ  reflect.Type
		want bool
	}{
		{"string wildcards", reflect.TypeFor[struct {
			A string `path:"a"`
			B string `path:"b"`
		}](), true},
		{"no fields", reflect.TypeFor[struct{}](), true},
		{"validated", reflect.TypeFor[struct {
			A string `path:"a" validate:"max=3"`
		}](), false},
		{"int wildcard", reflect.TypeFor[struct {
			N int `path:"n"`
		}](), false},
		{"text unmarshaler", reflect.TypeFor[struct {
			U upperName `path:"u"`
		}](), false},
		{"query", reflect.TypeFor[struct {
			Q string `query:"q"`
		}](), false},
		{"body", reflect.TypeFor[struct {
			A string `path:"a"`
			B string `json:"b"`
		}](), false},
		{"not a struct", reflect.TypeFor[string](), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := newModel(c.typ)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.stringPathsOnly(); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestServerDecodesPathsEitherWay checks that a request of string
// wildcards (decoded in place) and one with a TextUnmarshaler wildcard
// (decoded by setters) both get their path values, and an empty wildcard
// leaves the field as it was.
func TestServerDecodesPathsEitherWay(t *testing.T) {
	type plain struct {
		A string `path:"a"`
		B string `path:"b"`
	}
	type text struct {
		A upperName `path:"a"`
		B string    `path:"b"`
	}
	m := NewMux()
	m.Handle("GET /plain/{a}/{b...}", NewServer(func(_ context.Context, r plain) (flatAll, error) {
		return flatAll{S: r.A + "|" + r.B}, nil
	}))
	m.Handle("GET /text/{a}/{b...}", NewServer(func(_ context.Context, r text) (flatAll, error) {
		return flatAll{S: string(r.A) + "|" + r.B}, nil
	}))
	cases := []struct{ path, want string }{
		{"/plain/x/y", "x|y"},
		{"/plain/x/", "x|"},
		{"/text/x/y", "X|y"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			m.ServeHTTP(rec, httptest.NewRequest("GET", c.path, nil))
			var got flatAll
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK {
				t.Fatalf("got %d %s (%v), want 200 with JSON", rec.Code, rec.Body, err)
			}
			if got.S != c.want {
				t.Errorf("got %q, want %q", got.S, c.want)
			}
		})
	}
}
