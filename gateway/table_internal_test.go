package gateway

import "testing"

func TestAcceptVersion(t *testing.T) {
	tests := map[string]string{
		"":                             "",
		"*/*":                          "",
		"application/vnd.shop.v2+json": "v2",
		"application/vnd.shop.v12":     "v12",
		"text/html, application/json; version=v3": "v3",
		`application/json; version="v4"`:          "v4",
		"application/json; version=latest":        "",
		"application/vnd.shop.vX+json":            "",
	}
	for in, want := range tests {
		if got := acceptVersion(in); got != want {
			t.Errorf("acceptVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzVersions checks that the version parsers never panic and only ever
// return "" or a vN string, and that splitVersion keeps the path whole.
func FuzzVersions(f *testing.F) {
	for _, s := range []string{"application/vnd.x.v2+json", "a/b; version=v3", "/v1/orders", "/v", "/v1x/a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v := acceptVersion(s); v != "" && !versionRE.MatchString(v) {
			t.Fatalf("acceptVersion(%q) = %q, not a version", s, v)
		}
		v, rest := splitVersion(s)
		if v != "" && (!versionRE.MatchString(v) || "/"+v+rest != s) {
			t.Fatalf("splitVersion(%q) = %q, %q", s, v, rest)
		}
		if v == "" && rest != s {
			t.Fatalf("splitVersion(%q) changed an unversioned path to %q", s, rest)
		}
	})
}
