package kit

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/liveconfig"
)

var update = flag.Bool("update", false, "rewrite doc.go's list of live keys from LiveKeys")

// TestDocListsLiveKeys keeps the package documentation's list of live
// keys equal to LiveKeys, the tables that own them. After a change to a
// table, go test ./kit -run TestDocListsLiveKeys -update rewrites it.
func TestDocListsLiveKeys(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	start := -1
	for i, l := range lines {
		if strings.Contains(l, "this list is checked against it") {
			start = i + 2 // after the sentence's last line and an empty comment line
			break
		}
	}
	if start < 0 || start >= len(lines) {
		t.Fatal("doc.go: the sentence introducing the live keys is gone")
	}
	end := start
	for end < len(lines) && strings.HasPrefix(lines[end], "//\t") {
		end++
	}
	got := strings.Join(lines[start:end], "\n")
	want := liveKeysDoc()
	if got == want {
		return
	}
	if !*update {
		t.Fatalf("doc.go lists the live keys\n%s\nwant, from LiveKeys,\n%s\n(go test ./kit -run TestDocListsLiveKeys -update rewrites it)", got, want)
	}
	out := strings.Join(append(append(lines[:start:start], want), lines[end:]...), "\n")
	if err := os.WriteFile("doc.go", []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}

// liveKeysDoc renders LiveKeys as doc.go shows them.
func liveKeysDoc() string {
	keys := LiveKeys()
	width := 0
	for _, k := range keys {
		width = max(width, len(k.Path))
	}
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "//\t%-*s  %s", width, k.Path, k.Doc)
	}
	return b.String()
}

// TestLiveKeysAreLive: on a running App each key LiveKeys lists is applied
// by an overlay, and a key it does not list is reported as needing a
// restart.
func TestLiveKeysAreLive(t *testing.T) {
	a := newTestApp(t, nil, nil)
	lc := a.WatchConfig(&liveconfig.Memory{}, "")
	start(t, a)
	for _, k := range LiveKeys() {
		if k.Path == "gantry.features.NAME" {
			continue
		}
		doc := overlayChanging(t, a.Config(), k.Path)
		st, err := lc.Apply([]byte(doc))
		if err != nil || !slices.Equal(st.Applied, []string{k.Path}) || len(st.NeedsRestart) != 0 {
			t.Errorf("%s: got %+v, %v; want it applied and nothing static", doc, st, err)
		}
		if _, err := lc.Apply(nil); err != nil {
			t.Fatal(err)
		}
	}
	st, err := lc.Apply([]byte("gantry: {http_addr: ':1'}"))
	if err != nil || !slices.Equal(st.NeedsRestart, []string{"gantry.http_addr"}) {
		t.Errorf("a static key: got %+v, %v; want it reported as needing a restart", st, err)
	}
}

// overlayChanging returns an overlay document that gives the key at path
// (gantry.a.b) another valid value than cfg's.
func overlayChanging(t *testing.T, cfg Config, path string) string {
	t.Helper()
	parts := strings.Split(strings.TrimPrefix(path, "gantry."), ".")
	v := reflect.ValueOf(cfg)
	for _, p := range parts {
		next := reflect.Value{}
		for i := range v.NumField() {
			if name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ","); name == p {
				next = v.Field(i)
			}
		}
		if !next.IsValid() {
			t.Fatalf("%s: no field %s in %s", path, p, v.Type())
		}
		v = next
	}
	var value string
	switch x := v.Interface().(type) {
	case slog.Level:
		value = (x + 4).String()
	case time.Duration:
		value = (x + time.Second).String()
	case int:
		value = strconv.Itoa(x + 1)
	case float64:
		value = strconv.FormatFloat(x+0.25, 'g', -1, 64)
	default:
		t.Fatalf("%s: no other value for a %T", path, x)
	}
	doc := value
	for i := len(parts) - 1; i >= 0; i-- {
		doc = "{" + parts[i] + ": " + doc + "}"
	}
	return "gantry: " + doc
}
