package static_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/discoverytest"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/go-kit/kit/sd"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRegistryConformance(t *testing.T) {
	discoverytest.Run(t, func(t *testing.T) discoverytest.Backend {
		r := static.NewRegistry()
		t.Cleanup(r.Close)
		return discoverytest.Backend{
			Store:        r,
			NewInstancer: func(s string) (discovery.Instancer, error) { return r.Instancer(s), nil },
			TTL:          300 * time.Millisecond,
			Expires:      true,
			Metadata:     true,
		}
	})
}

func addrs(t *testing.T, in sd.Instancer) []string {
	t.Helper()
	ch := make(chan sd.Event, 1)
	in.Register(ch)
	defer in.Deregister(ch)
	ev := <-ch
	if ev.Err != nil {
		t.Fatalf("event error: got %v, want nil", ev.Err)
	}
	return ev.Instances
}

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"a:1", []string{"a:1"}, false},
		{"a:1, b:2,c:3", []string{"a:1", "b:2", "c:3"}, false},
		{"# servers\na:1\n\n  b:2 c:3\n", []string{"a:1", "b:2", "c:3"}, false},
		{"", nil, true},
		{" , ,\n# only a comment", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := static.Parse(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse(%q) error: got %v, want error %v", tt.in, err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Parse(%q): got %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestFromEnvAndFile(t *testing.T) {
	env := map[string]string{"ORDERS_ADDRS": "10.0.0.2:80,10.0.0.1:80"}
	in, err := static.FromEnv(func(k string) string { return env[k] }, "ORDERS_ADDRS", "orders")
	if err != nil {
		t.Fatalf("FromEnv: got error %v, want nil", err)
	}
	if got, want := addrs(t, in), []string{"10.0.0.1:80", "10.0.0.2:80"}; !slices.Equal(got, want) {
		t.Fatalf("FromEnv addresses: got %v, want %v", got, want)
	}
	if _, err := static.FromEnv(func(string) string { return "" }, "MISSING", "orders"); err == nil {
		t.Fatalf("FromEnv of an unset variable: got nil error, want one")
	}

	path := filepath.Join(t.TempDir(), "orders.txt")
	if err := os.WriteFile(path, []byte("# orders\n10.0.0.3:80\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	in, err = static.FromFile(path, "orders")
	if err != nil {
		t.Fatalf("FromFile: got error %v, want nil", err)
	}
	if got, want := addrs(t, in), []string{"10.0.0.3:80"}; !slices.Equal(got, want) {
		t.Fatalf("FromFile addresses: got %v, want %v", got, want)
	}
	if _, err := static.FromFile(filepath.Join(t.TempDir(), "none"), "orders"); err == nil {
		t.Fatalf("FromFile of a missing file: got nil error, want one")
	}
}

func FuzzParse(f *testing.F) {
	f.Add("a:1, b:2\n# c\n c:3")
	f.Add("")
	f.Add(",,\t\n#")
	f.Fuzz(func(t *testing.T, list string) {
		addrs, err := static.Parse(list)
		if err != nil {
			if addrs != nil {
				t.Fatalf("Parse(%q): got %v with error %v, want nil", list, addrs, err)
			}
			return
		}
		if len(addrs) == 0 {
			t.Fatalf("Parse(%q): got no address and no error", list)
		}
		for _, a := range addrs {
			if a == "" || strings.ContainsAny(a, ", \t\n") {
				t.Fatalf("Parse(%q): got address %q with a separator in it", list, a)
			}
		}
	})
}
