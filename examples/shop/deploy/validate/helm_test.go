package validate

import (
	"strconv"
	"strings"
	"testing"

	yamlv3 "go.yaml.in/yaml/v3"
)

// natsValues is the part of the official NATS chart's values the shop
// sets; decoding with known fields only turns a misspelt key into an error.
type natsValues struct {
	Config struct {
		Cluster struct {
			Enabled  bool `yaml:"enabled"`
			Replicas int  `yaml:"replicas"`
		} `yaml:"cluster"`
		JetStream struct {
			Enabled   bool `yaml:"enabled"`
			FileStore struct {
				Enabled bool `yaml:"enabled"`
				PVC     struct {
					Enabled bool   `yaml:"enabled"`
					Size    string `yaml:"size"`
				} `yaml:"pvc"`
			} `yaml:"fileStore"`
		} `yaml:"jetstream"`
	} `yaml:"config"`
	PodDisruptionBudget struct {
		Enabled bool `yaml:"enabled"`
	} `yaml:"podDisruptionBudget"`
	PodTemplate struct {
		TopologySpreadConstraints map[string]struct {
			MaxSkew           int    `yaml:"maxSkew"`
			WhenUnsatisfiable string `yaml:"whenUnsatisfiable"`
		} `yaml:"topologySpreadConstraints"`
	} `yaml:"podTemplate"`
	PromExporter struct {
		Enabled bool `yaml:"enabled"`
	} `yaml:"promExporter"`
}

// TestNATSValuesHoldR3 reads ../helm/nats-values.yaml: a JetStream
// cluster with a persistent file store per server, spread over nodes, a
// PodDisruptionBudget and the exporter; and the shop's
// GANTRY_NATS_REPLICAS (../k8s/config.yaml) is 3 and no more than the
// cluster's servers, or the services could create no stream.
func TestNATSValuesHoldR3(t *testing.T) {
	var v natsValues
	dec := yamlv3.NewDecoder(strings.NewReader(string(readFile(t, deployDir+"/helm/nats-values.yaml"))))
	dec.KnownFields(true)
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("helm/nats-values.yaml: %v", err)
	}
	c := v.Config
	if !c.Cluster.Enabled || c.Cluster.Replicas < 3 {
		t.Errorf("config.cluster: got enabled=%v replicas=%d, want a cluster of 3 servers at least", c.Cluster.Enabled, c.Cluster.Replicas)
	}
	if !c.JetStream.Enabled || !c.JetStream.FileStore.Enabled || !c.JetStream.FileStore.PVC.Enabled || c.JetStream.FileStore.PVC.Size == "" {
		t.Errorf("config.jetstream: got %+v, want JetStream on a persistent file store (pvc enabled, with a size)", c.JetStream)
	}
	if !v.PodDisruptionBudget.Enabled {
		t.Error("podDisruptionBudget.enabled: got false, want a budget (a drain must keep a quorum)")
	}
	if s, ok := v.PodTemplate.TopologySpreadConstraints["kubernetes.io/hostname"]; !ok || s.MaxSkew != 1 || s.WhenUnsatisfiable != "DoNotSchedule" {
		t.Errorf("podTemplate.topologySpreadConstraints: got %+v, want one server per node (kubernetes.io/hostname, maxSkew 1, DoNotSchedule)", v.PodTemplate.TopologySpreadConstraints)
	}
	if !v.PromExporter.Enabled {
		t.Error("promExporter.enabled: got false, want the exporter the consumer-lag alert reads")
	}
	cm, ok := loadManifests(t).configMaps["shop-config"]
	if !ok {
		t.Fatal("ConfigMap shop-config: got none")
	}
	r, err := strconv.Atoi(cm.Data["GANTRY_NATS_REPLICAS"])
	if err != nil || r != 3 {
		t.Errorf("shop-config GANTRY_NATS_REPLICAS: got %q, want 3 (R3 streams and buckets)", cm.Data["GANTRY_NATS_REPLICAS"])
	}
	if r > c.Cluster.Replicas {
		t.Errorf("GANTRY_NATS_REPLICAS %d: got more than the cluster's %d servers", r, c.Cluster.Replicas)
	}
}
