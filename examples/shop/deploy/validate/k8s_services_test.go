package validate

import (
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// checkServices: a regular and a headless Service per Deployment, selecting
// its pods, with named ports that exist in the container.
func checkServices(t *testing.T, m *manifests, d *appsv1.Deployment, ports map[string]int32) {
	podLabels := labels.Set(d.Spec.Template.Labels)
	for _, sv := range []struct {
		name     string
		headless bool
	}{{d.Name, false}, {d.Name + "-headless", true}} {
		s, ok := m.services[sv.name]
		if !ok {
			t.Errorf("Service %s: got none, want one", sv.name)
			continue
		}
		if len(s.Spec.Selector) == 0 || !labels.SelectorFromSet(s.Spec.Selector).Matches(podLabels) {
			t.Errorf("Service %s selector %v: does not select the pods %v", sv.name, s.Spec.Selector, podLabels)
		}
		if headless := s.Spec.ClusterIP == corev1.ClusterIPNone; headless != sv.headless {
			t.Errorf("Service %s clusterIP %q: got headless=%v, want %v", sv.name, s.Spec.ClusterIP, headless, sv.headless)
		}
		if sv.headless && s.Spec.PublishNotReadyAddresses {
			t.Errorf("Service %s: got publishNotReadyAddresses, want draining pods left out of DNS", sv.name)
		}
		var names []string
		for _, p := range s.Spec.Ports {
			names = append(names, p.Name)
			if p.Name == "" {
				t.Errorf("Service %s port %d: got no name, want one (SRV records are per named port)", sv.name, p.Port)
			}
			if want, ok := ports[p.TargetPort.String()]; !ok && p.TargetPort.IntValue() == 0 {
				t.Errorf("Service %s port %s: targetPort %s names no container port", sv.name, p.Name, p.TargetPort.String())
			} else if ok && p.Port != want {
				t.Errorf("Service %s port %s: got %d, want the container's %d", sv.name, p.Name, p.Port, want)
			}
		}
		if slices.Contains(names, "admin") {
			t.Errorf("Service %s: got the admin port, want it kept off Services (the platform reaches pods directly)", sv.name)
		}
		if !slices.Contains(names, "http") {
			t.Errorf("Service %s: got ports %v, want http", sv.name, names)
		}
		if _, grpc := ports["grpc"]; grpc && !slices.Contains(names, "grpc") {
			t.Errorf("Service %s: got ports %v, want grpc too (the container serves it)", sv.name, names)
		}
	}
}

func checkScaling(t *testing.T, m *manifests, d *appsv1.Deployment) {
	podLabels := labels.Set(d.Spec.Template.Labels)
	h, ok := m.hpas[d.Name]
	if !ok {
		t.Fatalf("HorizontalPodAutoscaler %s: got none, want one", d.Name)
	}
	ref := h.Spec.ScaleTargetRef
	if ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || ref.Name != d.Name {
		t.Errorf("HPA target: got %s %s %s, want apps/v1 Deployment %s", ref.APIVersion, ref.Kind, ref.Name, d.Name)
	}
	minR := int32(1)
	if h.Spec.MinReplicas != nil {
		minR = *h.Spec.MinReplicas
	}
	// Every service runs two replicas at least, so that one pod's loss
	// (a drain, a crash, a rollout) leaves the service up.
	if minR < 2 || minR > h.Spec.MaxReplicas {
		t.Errorf("HPA replicas: got min %d max %d, want 2 ≤ min ≤ max", minR, h.Spec.MaxReplicas)
	}
	if len(h.Spec.Metrics) == 0 {
		t.Error("HPA metrics: got none, want at least CPU utilization")
	}
	if d.Spec.Replicas != nil {
		t.Errorf("Deployment replicas: got %d, want unset (the HPA owns it; kubectl apply would fight it)", *d.Spec.Replicas)
	}
	// SQLite on a ReadWriteOnce volume has one writer: such a Deployment
	// must neither scale out nor roll with surge.
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		pvc, ok := m.pvcs[v.PersistentVolumeClaim.ClaimName]
		if !ok {
			t.Errorf("volume %s: PVC %q: got none in ../k8s", v.Name, v.PersistentVolumeClaim.ClaimName)
			continue
		}
		if slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteOnce) {
			if h.Spec.MaxReplicas != 1 {
				t.Errorf("HPA maxReplicas: got %d, want 1 while the data is on ReadWriteOnce PVC %s", h.Spec.MaxReplicas, pvc.Name)
			}
			if d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
				t.Errorf("strategy: got %q, want Recreate while the data is on ReadWriteOnce PVC %s", d.Spec.Strategy.Type, pvc.Name)
			}
		}
	}

	p, ok := m.pdbs[d.Name]
	if !ok {
		t.Fatalf("PodDisruptionBudget %s: got none, want one", d.Name)
	}
	sel, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
	if err != nil || sel.Empty() || !sel.Matches(podLabels) {
		t.Errorf("PDB selector %v: does not select the pods %v", p.Spec.Selector, podLabels)
	}
	if (p.Spec.MinAvailable == nil) == (p.Spec.MaxUnavailable == nil) {
		t.Error("PDB: got both or neither of minAvailable and maxUnavailable, want exactly one")
	}
	// A budget that can never be met blocks node drains forever.
	if p.Spec.MinAvailable != nil && p.Spec.MinAvailable.IntValue() >= int(minR) {
		t.Errorf("PDB minAvailable %s: got ≥ HPA minReplicas %d, want below it so a drain can evict a pod", p.Spec.MinAvailable.String(), minR)
	}
}
