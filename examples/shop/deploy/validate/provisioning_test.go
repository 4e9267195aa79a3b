package validate

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	yamlv3 "go.yaml.in/yaml/v3"
)

// TestGrafanaProvisioning: the dashboard's datasource is provisioned, and
// the dashboards provider reads the directory Compose mounts the JSON into.
func TestGrafanaProvisioning(t *testing.T) {
	var ds struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name      string         `yaml:"name"`
			UID       string         `yaml:"uid"`
			Type      string         `yaml:"type"`
			Access    string         `yaml:"access"`
			URL       string         `yaml:"url"`
			IsDefault bool           `yaml:"isDefault"`
			JSONData  map[string]any `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	decodeKnown(t, "/grafana/provisioning/datasources/datasources.yml", &ds)
	c := loadCompose(t)
	uids := map[string]string{}
	for _, d := range ds.Datasources {
		uids[d.UID] = d.Type
		u, err := url.Parse(d.URL)
		if err != nil {
			t.Fatalf("datasource %s url %q: %v", d.Name, d.URL, err)
		}
		if _, ok := c.Services[u.Hostname()]; !ok {
			t.Errorf("datasource %s: host %q is no Compose service", d.Name, u.Hostname())
		}
	}
	if uids["prometheus"] != "prometheus" {
		t.Errorf("datasources: got %v, want uid prometheus of type prometheus (the dashboard's)", uids)
	}

	var prov struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name            string            `yaml:"name"`
			Folder          string            `yaml:"folder"`
			Type            string            `yaml:"type"`
			DisableDeletion bool              `yaml:"disableDeletion"`
			AllowUIUpdates  bool              `yaml:"allowUiUpdates"`
			Options         map[string]string `yaml:"options"`
		} `yaml:"providers"`
	}
	decodeKnown(t, "/grafana/provisioning/dashboards/dashboards.yml", &prov)
	if len(prov.Providers) != 1 {
		t.Fatalf("dashboard providers: got %d, want 1", len(prov.Providers))
	}
	path := prov.Providers[0].Options["path"]
	if !slices.Contains(c.Services["grafana"].Volumes, "./grafana/dashboards:"+path+":ro") {
		t.Errorf("grafana volumes %v: got no mount of ./grafana/dashboards at the provider's path %s", c.Services["grafana"].Volumes, path)
	}
}

// TestCollectorPipeline: every component a pipeline names is configured,
// the services export to the collector's OTLP/HTTP port and the collector
// exports to the trace viewer.
func TestCollectorPipeline(t *testing.T) {
	var cfg struct {
		Receivers  map[string]map[string]any `yaml:"receivers"`
		Processors map[string]any            `yaml:"processors"`
		Exporters  map[string]struct {
			Endpoint string         `yaml:"endpoint"`
			TLS      map[string]any `yaml:"tls"`
		} `yaml:"exporters"`
		Extensions map[string]any `yaml:"extensions"`
		Service    struct {
			Extensions []string `yaml:"extensions"`
			Pipelines  map[string]struct {
				Receivers  []string `yaml:"receivers"`
				Processors []string `yaml:"processors"`
				Exporters  []string `yaml:"exporters"`
			} `yaml:"pipelines"`
		} `yaml:"service"`
	}
	decodeKnown(t, "/otel/collector.yaml", &cfg)
	tr, ok := cfg.Service.Pipelines["traces"]
	if !ok {
		t.Fatal("pipelines: got no traces pipeline")
	}
	for _, r := range tr.Receivers {
		if _, ok := cfg.Receivers[r]; !ok {
			t.Errorf("traces receiver %s: not configured", r)
		}
	}
	for _, p := range tr.Processors {
		if _, ok := cfg.Processors[p]; !ok {
			t.Errorf("traces processor %s: not configured", p)
		}
	}
	for _, e := range cfg.Service.Extensions {
		if _, ok := cfg.Extensions[e]; !ok {
			t.Errorf("extension %s: not configured", e)
		}
	}
	c := loadCompose(t)
	for _, e := range tr.Exporters {
		ex, ok := cfg.Exporters[e]
		if !ok {
			t.Errorf("traces exporter %s: not configured", e)
			continue
		}
		host, _, _ := strings.Cut(ex.Endpoint, ":")
		if _, ok := c.Services[host]; !ok {
			t.Errorf("exporter %s endpoint %q: host is no Compose service", e, ex.Endpoint)
		}
	}
	otlp := cfg.Receivers["otlp"]["protocols"]
	httpEndpoint := ""
	if m, ok := otlp.(map[string]any); ok {
		if h, ok := m["http"].(map[string]any); ok {
			httpEndpoint, _ = h["endpoint"].(string)
		}
	}
	for _, name := range services {
		env := c.Services[name].Environment
		if env["OTEL_EXPORTER_OTLP_PROTOCOL"] != "http/protobuf" {
			t.Errorf("%s OTEL_EXPORTER_OTLP_PROTOCOL: got %q, want http/protobuf", name, env["OTEL_EXPORTER_OTLP_PROTOCOL"])
		}
		u, err := url.Parse(env["OTEL_EXPORTER_OTLP_ENDPOINT"])
		if err != nil || u.Port() != portOf(t, httpEndpoint) {
			t.Errorf("%s OTEL_EXPORTER_OTLP_ENDPOINT %q: got it, want the collector's OTLP/HTTP port from %q", name, env["OTEL_EXPORTER_OTLP_ENDPOINT"], httpEndpoint)
		} else if _, ok := c.Services[u.Hostname()]; !ok {
			t.Errorf("%s OTEL_EXPORTER_OTLP_ENDPOINT %q: host is no Compose service", name, u)
		}
	}
}

func decodeKnown(t *testing.T, rel string, v any) {
	t.Helper()
	dec := yamlv3.NewDecoder(strings.NewReader(string(readFile(t, deployDir+rel))))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

// TestDashboardLayout: panel ids are unique and no two panels share a grid
// cell, so Grafana shows them as laid out.
func TestDashboardLayout(t *testing.T) {
	var dash struct {
		Panels []struct {
			ID      int    `json:"id"`
			Title   string `json:"title"`
			GridPos struct {
				H, W, X, Y int
			} `json:"gridPos"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(readFile(t, deployDir+"/grafana/dashboards/gantry-shop.json"), &dash); err != nil {
		t.Fatal(err)
	}
	ids := map[int]string{}
	cells := map[[2]int]string{}
	for _, p := range dash.Panels {
		if other, ok := ids[p.ID]; ok {
			t.Errorf("panel %q: id %d already used by %q", p.Title, p.ID, other)
		}
		ids[p.ID] = p.Title
		g := p.GridPos
		if g.W <= 0 || g.H <= 0 || g.X < 0 || g.X+g.W > 24 {
			t.Errorf("panel %q: gridPos %+v, want a positive size within 24 columns", p.Title, g)
			continue
		}
		for x := g.X; x < g.X+g.W; x++ {
			for y := g.Y; y < g.Y+g.H; y++ {
				if other, ok := cells[[2]int{x, y}]; ok {
					t.Fatalf("panel %q overlaps %q at column %d row %d", p.Title, other, x, y)
				}
				cells[[2]int{x, y}] = p.Title
			}
		}
	}
}
