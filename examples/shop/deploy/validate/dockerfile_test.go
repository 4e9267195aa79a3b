package validate

import (
	"regexp"
	"strings"
	"testing"
)

// TestDockerfile holds the image recipe to the rules: multi-stage,
// static, non-root, no secret, every shop service (and only those) allowed.
func TestDockerfile(t *testing.T) {
	src := string(readFile(t, deployDir+"/Dockerfile"))
	var lines []string // instructions, continuation lines joined
	cur := ""
	for _, l := range strings.Split(src, "\n") {
		if s := strings.TrimSpace(l); s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		cur += strings.TrimSuffix(strings.TrimSpace(l), "\\") + " "
		if !strings.HasSuffix(strings.TrimSpace(l), "\\") {
			lines = append(lines, strings.TrimSpace(cur))
			cur = ""
		}
	}
	var froms []string
	user := ""
	for _, l := range lines {
		instr, rest, _ := strings.Cut(l, " ")
		switch strings.ToUpper(instr) {
		case "FROM":
			froms = append(froms, rest)
			user = "" // USER does not carry across stages
		case "USER":
			user = rest
		case "ENV", "ARG":
			if regexp.MustCompile(`(?i)(secret|password|token|private|_key\b)`).MatchString(rest) {
				t.Errorf("%s %s: got what looks like a secret baked into the image, want it passed at run time", instr, rest)
			}
		}
	}
	if len(froms) < 2 {
		t.Fatalf("FROM: got %d stages, want a build stage and a runtime stage", len(froms))
	}
	final := froms[len(froms)-1]
	if !strings.HasPrefix(final, "gcr.io/distroless/static") && final != "scratch" {
		t.Errorf("final stage: got FROM %s, want distroless/static or scratch", final)
	}
	if user == "" || user == "root" || strings.HasPrefix(user, "0") {
		t.Errorf("final stage USER: got %q, want a non-root uid", user)
	}
	if !strings.Contains(src, "CGO_ENABLED=0") {
		t.Error("got no CGO_ENABLED=0, want a static binary")
	}
	m := regexp.MustCompile(`case "\$\{SERVICE\}" in\s+([a-z|]+)\)`).FindStringSubmatch(strings.Join(lines, "\n"))
	if m == nil {
		t.Fatal("got no check of the SERVICE build arg, want one naming the allowed services")
	}
	if got := strings.Split(m[1], "|"); !equalSets(got, services) {
		t.Errorf("SERVICE values: got %v, want %v", got, services)
	}
	if !strings.Contains(src, "./examples/shop/cmd/${SERVICE}") {
		t.Error("got no build of ./examples/shop/cmd/${SERVICE}")
	}
	if !strings.Contains(src, "./examples/shop/deploy/probe") {
		t.Error("got no build of the probe the Compose health checks run")
	}
}
