package logcheck_test

import (
	"strings"
	"testing"

	"github.com/gantrykit/gantry/internal/logcheck"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		line string
		ok   bool
	}{
		{`{"a":1,"b":{"c":[1,{"d":2}]}}`, true},
		{`{"a":1,"a":2}`, false},
		{`{"a":{"b":1,"b":1}}`, false},
		{`{"a":[{"b":1,"b":2}]}`, false},
		{`{"a":1} {"b":2}`, false},
		{`[1]`, false},
		{`{"a":`, false},
	} {
		_, err := logcheck.Parse([]byte(tc.line))
		if (err == nil) != tc.ok {
			t.Errorf("Parse(%s): got error %v, want ok=%v", tc.line, err, tc.ok)
		}
	}
}

func TestLinesNamesTheLine(t *testing.T) {
	_, err := logcheck.Lines(strings.NewReader("{\"a\":1}\n\n{\"a\":1,\"a\":1}\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("got %v, want an error naming line 3", err)
	}
}
