package validate

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// dbSecret is the Secret the services' database DSNs come from, a key
// per service (../README.md says how to create it).
const dbSecret = "shop-postgres"

// manifests are the decoded objects of ../k8s, by kind and name.
type manifests struct {
	deployments map[string]*appsv1.Deployment
	services    map[string]*corev1.Service
	hpas        map[string]*autoscalingv2.HorizontalPodAutoscaler
	pdbs        map[string]*policyv1.PodDisruptionBudget
	pvcs        map[string]*corev1.PersistentVolumeClaim
	configMaps  map[string]*corev1.ConfigMap
	namespaces  map[string]*corev1.Namespace
}

// decodeStrict decodes one document into a typed object, refusing unknown
// and duplicate fields, and checks that apiVersion and kind are the type's.
func decodeStrict(doc []byte, obj any, gv, kind string) error {
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return err
	}
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return err
	}
	if tm.APIVersion != gv || tm.Kind != kind {
		return fmt.Errorf("got %s %s, want %s %s", tm.APIVersion, tm.Kind, gv, kind)
	}
	return nil
}

func loadManifests(t *testing.T) *manifests {
	t.Helper()
	m := &manifests{
		deployments: map[string]*appsv1.Deployment{}, services: map[string]*corev1.Service{},
		hpas: map[string]*autoscalingv2.HorizontalPodAutoscaler{}, pdbs: map[string]*policyv1.PodDisruptionBudget{},
		pvcs: map[string]*corev1.PersistentVolumeClaim{}, configMaps: map[string]*corev1.ConfigMap{},
		namespaces: map[string]*corev1.Namespace{},
	}
	files, err := filepath.Glob(filepath.Join(deployDir, "k8s", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		for i, doc := range splitYAML(readFile(t, filepath.ToSlash(f))) {
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal(doc, &tm); err != nil {
				t.Fatalf("%s document %d: %v", f, i+1, err)
			}
			where := fmt.Sprintf("%s document %d (%s)", filepath.Base(f), i+1, tm.Kind)
			var name string
			var derr error
			switch tm.Kind {
			case "Deployment":
				o := &appsv1.Deployment{}
				derr, name = decodeStrict(doc, o, "apps/v1", tm.Kind), o.Name
				m.deployments[name] = o
			case "Service":
				o := &corev1.Service{}
				derr, name = decodeStrict(doc, o, "v1", tm.Kind), o.Name
				m.services[name] = o
			case "HorizontalPodAutoscaler":
				o := &autoscalingv2.HorizontalPodAutoscaler{}
				derr, name = decodeStrict(doc, o, "autoscaling/v2", tm.Kind), o.Name
				m.hpas[name] = o
			case "PodDisruptionBudget":
				o := &policyv1.PodDisruptionBudget{}
				derr, name = decodeStrict(doc, o, "policy/v1", tm.Kind), o.Name
				m.pdbs[name] = o
			case "PersistentVolumeClaim":
				o := &corev1.PersistentVolumeClaim{}
				derr, name = decodeStrict(doc, o, "v1", tm.Kind), o.Name
				m.pvcs[name] = o
			case "ConfigMap":
				o := &corev1.ConfigMap{}
				derr, name = decodeStrict(doc, o, "v1", tm.Kind), o.Name
				m.configMaps[name] = o
			case "Namespace":
				o := &corev1.Namespace{}
				derr, name = decodeStrict(doc, o, "v1", tm.Kind), o.Name
				m.namespaces[name] = o
			default:
				t.Fatalf("%s: got kind %q, want one this test decodes (add it here)", where, tm.Kind)
			}
			if derr != nil {
				t.Fatalf("%s: %v", where, derr)
			}
			if name == "" {
				t.Fatalf("%s: got no metadata.name", where)
			}
		}
	}
	if len(m.deployments) == 0 {
		t.Fatal("got no Deployment in ../k8s, want one per shop service")
	}
	return m
}

func TestKustomizationListsEveryManifest(t *testing.T) {
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Namespace  string   `json:"namespace"`
		Resources  []string `json:"resources"`
		Images     []struct {
			Name    string `json:"name"`
			NewName string `json:"newName,omitempty"`
			NewTag  string `json:"newTag"`
		} `json:"images"`
	}
	if err := yaml.UnmarshalStrict(readFile(t, deployDir+"/k8s/kustomization.yaml"), &k); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(deployDir, "k8s", "*.yaml"))
	var want []string
	for _, f := range files {
		if b := filepath.Base(f); b != "kustomization.yaml" {
			want = append(want, b)
		}
	}
	if !equalSets(k.Resources, want) {
		t.Errorf("kustomization resources: got %v, want every manifest file %v", k.Resources, want)
	}
	var imgs []string
	for _, im := range k.Images {
		imgs = append(imgs, im.Name)
	}
	var wantImgs []string
	for _, s := range services {
		wantImgs = append(wantImgs, "gantry-shop/"+s)
	}
	if !equalSets(imgs, wantImgs) {
		t.Errorf("kustomization images: got %v, want %v", imgs, wantImgs)
	}
	m := loadManifests(t)
	if _, ok := m.namespaces[k.Namespace]; !ok {
		t.Errorf("kustomization namespace %q: got no Namespace manifest for it", k.Namespace)
	}
}

func TestDeploymentsAreTheShopServices(t *testing.T) {
	m := loadManifests(t)
	if got := sortedKeys(m.deployments); !equalSets(got, services) {
		t.Fatalf("Deployments: got %v, want %v", got, services)
	}
}

func TestDeploymentInvariants(t *testing.T) {
	m := loadManifests(t)
	env := newEnvChecker(t)
	for _, name := range sortedKeys(m.deployments) {
		t.Run(name, func(t *testing.T) {
			checkDeployment(t, m, m.deployments[name], env)
		})
	}
}

func checkDeployment(t *testing.T, m *manifests, d *appsv1.Deployment, envs *envChecker) {
	pod := d.Spec.Template.Spec
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil || sel.Empty() {
		t.Fatalf("selector: got %v (%v), want a non-empty label selector", d.Spec.Selector, err)
	}
	podLabels := labels.Set(d.Spec.Template.Labels)
	if !sel.Matches(podLabels) {
		t.Fatalf("selector %s: does not match the pod template's labels %v", sel, podLabels)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("containers: got %d, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if want := "gantry-shop/" + d.Name + ":"; !strings.HasPrefix(c.Image, want) {
		t.Errorf("image: got %q, want %s<tag>", c.Image, want)
	}

	// The environment: ConfigMaps referenced must exist, every key must be
	// one the code reads, and the shutdown timings come from there.
	env := map[string]string{}
	for _, ef := range c.EnvFrom {
		if ef.ConfigMapRef == nil {
			t.Errorf("envFrom: got %+v, want configMapRef only", ef)
			continue
		}
		cm, ok := m.configMaps[ef.ConfigMapRef.Name]
		if !ok {
			t.Fatalf("envFrom: ConfigMap %q: got none in ../k8s", ef.ConfigMapRef.Name)
		}
		for k, v := range cm.Data {
			envs.check(t, "ConfigMap "+cm.Name, "", k)
			env[k] = v
		}
	}
	hasDB := false
	for _, e := range c.Env {
		envs.check(t, "env", d.Name, e.Name)
		if e.Value != "" {
			env[e.Name] = e.Value
		}
		sk := e.ValueFrom
		if sk == nil || sk.SecretKeyRef == nil {
			if strings.HasSuffix(e.Name, "_DB") {
				t.Errorf("env %s: got a literal database DSN, want it from the Secret %s (it holds a password)", e.Name, dbSecret)
			}
			continue
		}
		required := sk.SecretKeyRef.Optional == nil || !*sk.SecretKeyRef.Optional
		// The database is the service's data: it must not start without
		// it. Every other Secret is optional, so the pod starts without it.
		if e.Name == strings.ToUpper(d.Name)+"_DB" {
			if !required || sk.SecretKeyRef.Name != dbSecret || sk.SecretKeyRef.Key != d.Name {
				t.Errorf("env %s: got Secret %q key %q (required %v), want the required key %s of %s", e.Name,
					sk.SecretKeyRef.Name, sk.SecretKeyRef.Key, required, d.Name, dbSecret)
			}
			hasDB = true
		} else if required {
			t.Errorf("env %s: got a required Secret %q, want optional: true so the pod starts without it", e.Name, sk.SecretKeyRef.Name)
		}
	}
	if wantDB := d.Name != "gateway"; hasDB != wantDB {
		t.Errorf("%s_DB from Secret %s: got %v, want %v (user, product and order keep their data in PostgreSQL)",
			strings.ToUpper(d.Name), dbSecret, hasDB, wantDB)
	}
	drain := durationEnv(t, env, "GANTRY_DRAIN_DELAY")
	shutdown := durationEnv(t, env, "GANTRY_SHUTDOWN_TIMEOUT")

	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	for key, port := range map[string]string{"GANTRY_ADMIN_ADDR": "admin", "GANTRY_HTTP_ADDR": "http"} {
		addr, ok := env[key]
		if !ok {
			t.Errorf("%s: got no value, want it set so the %s port is certain", key, port)
			continue
		}
		if got, want := fmt.Sprint(ports[port]), portOf(t, addr); got != want {
			t.Errorf("container port %q: got %s, want %s from %s=%s", port, got, want, key, addr)
		}
	}

	// Probes: readiness is /readyz and liveness /healthz, both on the admin
	// listener.
	for _, pr := range []struct {
		what  string
		probe *corev1.Probe
		path  string
	}{{"readinessProbe", c.ReadinessProbe, "/readyz"}, {"livenessProbe", c.LivenessProbe, "/healthz"}} {
		if pr.probe == nil || pr.probe.HTTPGet == nil {
			t.Errorf("%s: got none, want httpGet %s on the admin port", pr.what, pr.path)
			continue
		}
		g := pr.probe.HTTPGet
		if g.Path != pr.path {
			t.Errorf("%s path: got %q, want %q", pr.what, g.Path, pr.path)
		}
		if g.Port.String() != "admin" && g.Port.IntValue() != int(ports["admin"]) {
			t.Errorf("%s port: got %s, want admin (%d)", pr.what, g.Port.String(), ports["admin"])
		}
	}

	// Shutdown: endpoints must learn the pod is going before SIGTERM
	// (preStop ≥ drain delay), and the kubelet must not SIGKILL before the
	// App has drained and shut down.
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil {
		t.Fatalf("lifecycle.preStop: got %+v, want sleep (the image has no shell)", c.Lifecycle)
	}
	preStop := time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	if preStop < drain {
		t.Errorf("preStop sleep: got %v, want ≥ GANTRY_DRAIN_DELAY %v", preStop, drain)
	}
	if pod.TerminationGracePeriodSeconds == nil {
		t.Fatal("terminationGracePeriodSeconds: got none, want it set")
	}
	grace := time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second
	if need := preStop + drain + shutdown; grace <= need {
		t.Errorf("terminationGracePeriodSeconds: got %v, want > preStop %v + drain %v + shutdown %v = %v", grace, preStop, drain, shutdown, need)
	}

	// Resources: requests and limits for CPU and memory, requests ≤ limits.
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, okReq := c.Resources.Requests[r]
		lim, okLim := c.Resources.Limits[r]
		if !okReq || !okLim {
			t.Errorf("resources %s: got request %v limit %v, want both set", r, okReq, okLim)
			continue
		}
		if req.Cmp(lim) > 0 || req.Cmp(resource.MustParse("0")) <= 0 {
			t.Errorf("resources %s: got request %s limit %s, want 0 < request ≤ limit", r, req.String(), lim.String())
		}
	}

	// Security: non-root, read-only root filesystem, no privilege escalation,
	// no capabilities.
	psc, csc := pod.SecurityContext, c.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot {
		t.Error("securityContext.runAsNonRoot: got unset or false, want true")
	}
	if psc == nil || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Error("securityContext.runAsUser: got unset or 0, want the image's non-root uid")
	}
	if csc == nil || csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem {
		t.Error("container readOnlyRootFilesystem: got unset or false, want true")
	}
	if csc == nil || csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation {
		t.Error("container allowPrivilegeEscalation: got unset or true, want false")
	}
	if csc == nil || csc.Capabilities == nil || !slices.Contains(csc.Capabilities.Drop, "ALL") {
		t.Error("container capabilities.drop: got no ALL, want [ALL]")
	}
	// A read-only root needs the data directory mounted writable.
	mounts := map[string]string{}
	for _, vm := range c.VolumeMounts {
		mounts[vm.MountPath] = vm.Name
	}
	if dir := env["GANTRY_DATA_DIR"]; dir == "" || mounts[dir] == "" {
		t.Errorf("GANTRY_DATA_DIR %q: got no volume mounted there, want one (the root filesystem is read-only)", dir)
	}

	checkServices(t, m, d, ports)
	checkScaling(t, m, d)
}
