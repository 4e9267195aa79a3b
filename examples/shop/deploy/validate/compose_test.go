package validate

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	yamlv3 "go.yaml.in/yaml/v3"
)

// composeFile is the part of the Compose specification the shop uses;
// decoding with known fields only turns a misspelt key into an error.
type composeFile struct {
	Name     string                    `yaml:"name"`
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
	// x- extension fields hold the YAML anchors.
	GantryEnv     map[string]string `yaml:"x-gantry-env"`
	GantryService map[string]any    `yaml:"x-gantry-service"`
	NATSServer    map[string]any    `yaml:"x-nats-server"`
}

type composeService struct {
	Image           string            `yaml:"image"`
	Build           *composeBuild     `yaml:"build"`
	Command         []string          `yaml:"command"`
	Environment     map[string]string `yaml:"environment"`
	Ports           []string          `yaml:"ports"`
	Volumes         []string          `yaml:"volumes"`
	DependsOn       yamlv3.Node       `yaml:"depends_on"`
	Healthcheck     *composeHealth    `yaml:"healthcheck"`
	Restart         string            `yaml:"restart"`
	StopGracePeriod string            `yaml:"stop_grace_period"`
	ReadOnly        bool              `yaml:"read_only"`
	Tmpfs           []string          `yaml:"tmpfs"`
	CapDrop         []string          `yaml:"cap_drop"`
	SecurityOpt     []string          `yaml:"security_opt"`
}

type composeBuild struct {
	Context    string            `yaml:"context"`
	Dockerfile string            `yaml:"dockerfile"`
	Args       map[string]string `yaml:"args"`
}

type composeHealth struct {
	Test        []string `yaml:"test"`
	Interval    string   `yaml:"interval"`
	Timeout     string   `yaml:"timeout"`
	Retries     int      `yaml:"retries"`
	StartPeriod string   `yaml:"start_period"`
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	var c composeFile
	dec := yamlv3.NewDecoder(strings.NewReader(string(readFile(t, deployDir+"/docker-compose.yml"))))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return c
}

// dependsOn reads both forms of depends_on: a list of names or a map of
// name to condition.
func dependsOn(t *testing.T, n yamlv3.Node) map[string]string {
	t.Helper()
	out := map[string]string{}
	switch n.Kind {
	case 0:
	case yamlv3.SequenceNode:
		var names []string
		if err := n.Decode(&names); err != nil {
			t.Fatal(err)
		}
		for _, s := range names {
			out[s] = "service_started"
		}
	case yamlv3.MappingNode:
		var m map[string]struct {
			Condition string `yaml:"condition"`
		}
		if err := n.Decode(&m); err != nil {
			t.Fatal(err)
		}
		for k, v := range m {
			out[k] = v.Condition
		}
	default:
		t.Fatalf("depends_on: got YAML kind %v, want a list or a map", n.Kind)
	}
	return out
}

var pinnedImage = regexp.MustCompile(`^[a-z0-9./_-]+:[A-Za-z0-9._-]+$`)

func TestComposeServices(t *testing.T) {
	c := loadCompose(t)
	envs := newEnvChecker(t)
	built := []string{}
	for _, name := range sortedKeys(c.Services) {
		s := c.Services[name]
		t.Run(name, func(t *testing.T) {
			if s.Image == "" && s.Build == nil {
				t.Fatal("got neither image nor build")
			}
			if s.Build == nil {
				if !pinnedImage.MatchString(s.Image) || strings.HasSuffix(s.Image, ":latest") {
					t.Errorf("image %q: got an unpinned image, want name:version", s.Image)
				}
			} else {
				built = append(built, name)
			}
			for dep, cond := range dependsOn(t, s.DependsOn) {
				d, ok := c.Services[dep]
				if !ok {
					t.Errorf("depends_on %s: got no such service", dep)
				}
				if cond == "service_healthy" && (ok && d.Healthcheck == nil) {
					t.Errorf("depends_on %s: service_healthy, but %s has no healthcheck", dep, dep)
				}
			}
			for _, p := range s.Ports {
				host, ctr, ok := strings.Cut(p, ":")
				if !ok || !validPort(host) || !validPort(ctr) {
					t.Errorf("port %q: got it, want HOST:CONTAINER with numbers in 1..65535", p)
				}
			}
			for _, v := range s.Volumes {
				src, _, ok := strings.Cut(v, ":")
				if !ok {
					t.Errorf("volume %q: got no target", v)
					continue
				}
				if strings.HasPrefix(src, ".") {
					if _, err := os.Stat(filepath.Join(deployDir, src)); err != nil {
						t.Errorf("volume %q: bind source %v", v, err)
					}
				} else if _, ok := c.Volumes[src]; !ok {
					t.Errorf("volume %q: got no top-level volume %q", v, src)
				}
			}
			if s.Build != nil { // third-party images have their own variables
				for k := range s.Environment {
					envs.check(t, "compose service "+name, name, k)
				}
			}
		})
	}
	if !equalSets(built, services) {
		t.Errorf("services built from the Dockerfile: got %v, want %v", built, services)
	}
}

func validPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n > 0 && n < 65536
}

func TestComposeShopServices(t *testing.T) {
	c := loadCompose(t)
	for _, name := range services {
		t.Run(name, func(t *testing.T) {
			s, ok := c.Services[name]
			if !ok {
				t.Fatal("got no such Compose service")
			}
			if s.Build == nil || s.Build.Dockerfile != "examples/shop/deploy/Dockerfile" || s.Build.Args["SERVICE"] != name {
				t.Fatalf("build: got %+v, want the shop Dockerfile with SERVICE=%s", s.Build, name)
			}
			if ctx := filepath.Join(deployDir, s.Build.Context); !exists(filepath.Join(ctx, "go.mod")) {
				t.Errorf("build context %q: got no go.mod there, want the repository root", s.Build.Context)
			}
			drain := durationEnv(t, s.Environment, "GANTRY_DRAIN_DELAY")
			shutdown := durationEnv(t, s.Environment, "GANTRY_SHUTDOWN_TIMEOUT")
			grace, err := time.ParseDuration(s.StopGracePeriod)
			if err != nil || grace <= drain+shutdown {
				t.Errorf("stop_grace_period %q: got it, want > drain %v + shutdown %v (Docker's default 10s SIGKILLs mid-drain)", s.StopGracePeriod, drain, shutdown)
			}
			admin := portOf(t, s.Environment["GANTRY_ADMIN_ADDR"])
			want := []string{"CMD", "/probe", "http://127.0.0.1:" + admin + "/readyz"}
			if s.Healthcheck == nil || !slices.Equal(s.Healthcheck.Test, want) {
				t.Errorf("healthcheck: got %+v, want test %q", s.Healthcheck, want)
			}
			if !s.ReadOnly || !slices.Contains(s.CapDrop, "ALL") || !slices.Contains(s.SecurityOpt, "no-new-privileges:true") {
				t.Errorf("security: got read_only=%v cap_drop=%v security_opt=%v, want true, [ALL], [no-new-privileges:true]", s.ReadOnly, s.CapDrop, s.SecurityOpt)
			}
			writable := slices.Clone(s.Tmpfs)
			for _, v := range s.Volumes {
				if parts := strings.Split(v, ":"); len(parts) >= 2 {
					writable = append(writable, parts[1])
				}
			}
			if dir := s.Environment["GANTRY_DATA_DIR"]; !slices.Contains(writable, dir) {
				t.Errorf("GANTRY_DATA_DIR %q: got no volume there, want one (the root filesystem is read-only)", dir)
			}
			for _, p := range s.Ports {
				_, ctr, _ := strings.Cut(p, ":")
				if ctr != portOf(t, s.Environment["GANTRY_HTTP_ADDR"]) {
					t.Errorf("port %q: got container port %s, want only the service listener published (admin stays private)", p, ctr)
				}
			}
		})
	}
	if len(c.Services["gateway"].Ports) == 0 {
		t.Error("gateway: got no published port, want the public API reachable")
	}
}

// TestPrometheusScrapesEveryService reads prometheus.yml: a job per shop
// service aimed at the Compose service's admin port.
func TestPrometheusScrapesEveryService(t *testing.T) {
	var cfg struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yamlv3.Unmarshal(readFile(t, deployDir+"/prometheus/prometheus.yml"), &cfg); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cfg.RuleFiles, "alerts.yml") {
		t.Errorf("rule_files: got %v, want alerts.yml", cfg.RuleFiles)
	}
	c := loadCompose(t)
	targets := map[string][]string{}
	for _, sc := range cfg.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			targets[sc.JobName] = append(targets[sc.JobName], st.Targets...)
		}
	}
	for _, name := range services {
		want := fmt.Sprintf("%s:%s", name, portOf(t, c.Services[name].Environment["GANTRY_ADMIN_ADDR"]))
		if !slices.Equal(targets[name], []string{want}) {
			t.Errorf("job %s: got targets %v, want [%s]", name, targets[name], want)
		}
	}
	for job, ts := range targets {
		for _, tg := range ts {
			host, _, _ := strings.Cut(tg, ":")
			if _, ok := c.Services[host]; !ok && host != "localhost" {
				t.Errorf("job %s target %s: got no Compose service %q", job, tg, host)
			}
		}
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
