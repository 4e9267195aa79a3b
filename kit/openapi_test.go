package kit

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/gantrykit/gantry/endpoint"
	httpt "github.com/gantrykit/gantry/transport/http"
)

type greetReq struct {
	Name string `path:"name"`
}

type greetResp struct {
	Greeting string `json:"greeting"`
}

func TestOpenAPIMounted(t *testing.T) {
	a := newTestApp(t, nil, nil)
	greet := endpoint.Wrap(func(_ context.Context, r greetReq) (greetResp, error) {
		return greetResp{Greeting: "hi " + r.Name}, nil
	}, a.Middleware("greet")...)
	a.HTTP().Handle("GET /v1/greet/{name}", httpt.NewServer(greet, httpt.Named("greet")))
	start(t, a)
	code, body := get(t, "http://"+a.HTTPAddr()+"/openapi.json")
	if code != 200 {
		t.Fatalf("got %d %s, want 200", code, body)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Info    map[string]string         `json:"info"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("document %q: %v", body, err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Info["title"] != "test-svc" || doc.Info["version"] != "v1.2.3" {
		t.Errorf("got openapi %q info %v, want 3.1.0 test-svc v1.2.3", doc.OpenAPI, doc.Info)
	}
	op, _ := doc.Paths["/v1/greet/{name}"]["get"].(map[string]any)
	if op == nil || op["operationId"] != "greet" {
		t.Fatalf("got paths %v, want GET /v1/greet/{name} with operationId greet", doc.Paths)
	}
	// The default chain's own answers: shed (503), rate limit (429).
	answers, _ := op["responses"].(map[string]any)
	for _, code := range []string{"200", "429", "500", "503", "504"} {
		if answers[code] == nil {
			t.Errorf("responses %v lack %s", answers, code)
		}
	}
}

func TestOpenAPIOverridden(t *testing.T) {
	a := newTestApp(t, nil, nil)
	a.HTTP().HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"mine":true}`)) })
	start(t, a)
	if code, body := get(t, "http://"+a.HTTPAddr()+"/openapi.json"); code != 200 || body != `{"mine":true}` {
		t.Errorf("got %d %s, want the service's own document", code, body)
	}
}
