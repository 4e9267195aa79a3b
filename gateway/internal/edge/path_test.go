package edge

import (
	"errors"
	"net/url"
	"testing"

	"github.com/gantrykit/gantry/gateway/internal/conformance"
)

func TestNormalizePath(t *testing.T) {
	for _, tc := range []struct {
		raw, want string
		err       error
	}{
		{"/", "/", nil},
		{"/orders/42", "/orders/42", nil},
		{"/orders/", "/orders/", nil},
		{"/a%20b", "/a b", nil},
		{"/caf%C3%A9", "/café", nil},
		{"/%41", "/A", nil},
		{"/a:b@c!$&'()*+,=", "/a:b@c!$&'()*+,=", nil},
		{"/public/../private", "", ErrPathDot},
		{"/public/%2e%2e/private", "", ErrPathDot},
		{"/public/%2E%2E/private", "", ErrPathDot},
		{"/public/.%2e/private", "", ErrPathDot},
		{"/public/./private", "", ErrPathDot},
		{"/public/%2e/private", "", ErrPathDot},
		{"/public/..", "", ErrPathDot},
		{"/public%2fprivate", "", ErrPathSlash},
		{"/public%2F..%2Fprivate", "", ErrPathSlash},
		{"/public%5c..%5cprivate", "", ErrPathSlash},
		{`/public\..\private`, "", ErrPathSlash},
		{"/private;x=1", "", ErrPathParam},
		{"/public;/../private", "", ErrPathParam},
		{"/private%3bx", "", ErrPathParam},
		{"/private%00", "", ErrPathControl},
		{"/private%0a", "", ErrPathControl},
		{"/private%20", "", ErrPathSpace},
		{"/%20private", "", ErrPathSpace},
		{"/private%09/x", "", ErrPathSpace},
		{"//private", "", ErrPathEmpty},
		{"/a//b", "", ErrPathEmpty},
		{"/%252e%252e/private", "", ErrPathPercent},
		{"/a%2", "", ErrPathEncoding},
		{"/a%zz", "", ErrPathEncoding},
		{"a/b", "", ErrPathForm},
		{"", "", ErrPathForm},
		{"/a b", "", ErrPathCharacter},
		{"/a\x00b", "", ErrPathCharacter},
		{"/a\xc3\xa9", "", ErrPathCharacter},
		{"/a#b", "", ErrPathCharacter},
	} {
		got, err := NormalizePath(tc.raw)
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("NormalizePath(%q) = %q, %v; want %q, %v", tc.raw, got, err, tc.want, tc.err)
		}
	}
}

// TestEscapePathRoundTrip: what the upstream receives decodes (as Go's
// url package does) to the path the route matched, and normalises to it.
func TestEscapePathRoundTrip(t *testing.T) {
	for _, p := range []string{"/", "/a b", "/café", "/a?b", "/a#b", "/a%b", "/a\"<>{}|^`[]", "/x:y@z!$&'()*+,="} {
		e := EscapePath(p)
		u, err := url.ParseRequestURI(e)
		if err != nil || u.Path != p {
			t.Errorf("EscapePath(%q) = %q, which parses as %q, %v", p, e, u.Path, err)
		}
	}
	if got := EscapePath("/orders/42"); got != "/orders/42" {
		t.Errorf("EscapePath of a plain path = %q", got)
	}
}

func FuzzNormalizePath(f *testing.F) {
	for _, s := range append([]string{"/", "/a/../b", "/%2e%2e", "/a%2fb", "/a;b", "/a%20", "/caf%C3%A9"}, conformance.Targets()...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := NormalizePath(raw)
		if err != nil {
			return
		}
		// Accepted: no dot, empty or edge-space segment, no separator
		// an upstream could find, and the escaped form reads back as p.
		if err := checkSegments(p); err != nil {
			t.Fatalf("NormalizePath(%q) = %q, which has %v", raw, p, err)
		}
		e := EscapePath(p)
		if again, err := NormalizePath(e); err != nil || again != p {
			t.Fatalf("NormalizePath(EscapePath(%q)) = %q, %v", p, again, err)
		}
	})
}
