package validate

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	yamlv3 "go.yaml.in/yaml/v3"
)

// TestExemplarsLinkToTraces: the latency panels ask Prometheus for
// exemplars, Prometheus keeps them (exemplar storage, scraped over
// OpenMetrics, which kit's /metrics serves), and Grafana's Prometheus
// datasource turns an exemplar's trace_id label (the label the library's
// histograms use: middleware/metrics.ExemplarTraceID) into a link to the
// provisioned Jaeger datasource.
func TestExemplarsLinkToTraces(t *testing.T) {
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr     string `json:"expr"`
				Exemplar bool   `json:"exemplar"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(readFile(t, deployDir+"/grafana/dashboards/gantry-shop.json"), &dash); err != nil {
		t.Fatal(err)
	}
	latency := 0
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			if strings.Contains(tg.Expr, "histogram_quantile(") && strings.Contains(tg.Expr, "_seconds_bucket") {
				latency++
				if !tg.Exemplar {
					t.Errorf("latency panel %q: exemplar off, want on (a link from a slow call to its trace)", p.Title)
				}
			}
		}
	}
	if latency == 0 {
		t.Fatal("the dashboard has no latency panel")
	}

	var ds struct {
		Datasources []struct {
			UID      string `yaml:"uid"`
			Type     string `yaml:"type"`
			JSONData struct {
				Destinations []struct {
					Name          string `yaml:"name"`
					DatasourceUID string `yaml:"datasourceUid"`
				} `yaml:"exemplarTraceIdDestinations"`
			} `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	if err := yamlv3.Unmarshal(readFile(t, deployDir+"/grafana/provisioning/datasources/datasources.yml"), &ds); err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, d := range ds.Datasources {
		types[d.UID] = d.Type
	}
	linked := false
	for _, d := range ds.Datasources {
		if d.Type != "prometheus" {
			continue
		}
		for _, dest := range d.JSONData.Destinations {
			if dest.Name == "trace_id" && types[dest.DatasourceUID] == "jaeger" {
				linked = true
			}
		}
	}
	if !linked {
		t.Error("datasources: the Prometheus datasource has no exemplarTraceIdDestinations entry trace_id → a jaeger datasource")
	}

	if cmd := loadCompose(t).Services["prometheus"].Command; !slices.Contains(cmd, "--enable-feature=exemplar-storage") {
		t.Errorf("compose prometheus command %v: want --enable-feature=exemplar-storage, or exemplars are dropped at scrape", cmd)
	}
}
