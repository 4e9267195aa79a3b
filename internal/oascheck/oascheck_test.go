package oascheck

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	good := `{"openapi":"3.1.0","info":{"title":"t","version":"1"},
	  "paths":{"/x/{id}":{"get":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
	  "responses":{"200":{"description":"OK","content":{"application/json":{"schema":{"$ref":"#/components/schemas/X"}}}}}}}},
	  "components":{"schemas":{"X":{"type":"object","properties":{"n":{"type":["integer","null"],"minimum":1}}}}}}`
	if err := Validate([]byte(good)); err != nil {
		t.Errorf("valid document rejected: %v", err)
	}
	tests := map[string]string{
		"wrong version":                `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{}}`,
		"no info":                      `{"openapi":"3.1.0","paths":{}}`,
		"path param not required":      `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/x/{id}":{"get":{"parameters":[{"name":"id","in":"path","schema":{"type":"string"}}],"responses":{"200":{"description":"OK"}}}}}}`,
		"bad schema type":              `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{},"components":{"schemas":{"X":{"type":"integr"}}}}`,
		"response without description": `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/x":{"get":{"responses":{"200":{}}}}}}`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			if err := Validate([]byte(doc)); err == nil {
				t.Error("invalid document accepted")
			}
		})
	}
	if err := Validate([]byte("{")); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("err = %v, want not JSON", err)
	}
}
