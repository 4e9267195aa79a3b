package edge

import "testing"

func TestClassify(t *testing.T) {
	for name, want := range map[string]Kind{
		"Content-Length": Framing, "TRANSFER-ENCODING": Framing,
		"Connection": Hop, "keep-alive": Hop, "TE": Hop, "Trailer": Hop, "Upgrade": Hop, "HTTP2-Settings": Hop,
		"Proxy-Authorization": Hop, "Expect": Hop,
		"Host":            Host,
		"X-Gantry-Claims": Trusted, "x-forwarded-for": Trusted, "Forwarded": Trusted, "X-Request-Id": Trusted,
		"Gantry-Timeout": Trusted, "traceparent": Trusted,
		"Authorization": Guarded, "Idempotency-Key": Guarded, "Accept-Version": Guarded,
		"X-Custom": Other, "Content-Type": Other, "a": Other, "Content-Length-X": Other,
	} {
		if got := Classify([]byte(name)); got != want {
			t.Errorf("Classify(%q) = %v, want %v", name, got, want)
		}
		if got := ClassifyString(name); got != want {
			t.Errorf("ClassifyString(%q) = %v, want %v", name, got, want)
		}
	}
	if ClaimsHeader != "X-Gantry-Claims" {
		t.Fatal("ClaimsHeader renamed: the gateway's and the policy's must agree")
	}
	if n := testing.AllocsPerRun(100, func() { Classify([]byte("X-Forwarded-Proto")) }); n != 0 {
		t.Errorf("Classify allocates %v times", n)
	}
}

func TestForward(t *testing.T) {
	for _, tc := range []struct {
		kind      Kind
		nominated bool
		name      string
		dropToken bool
		req, resp bool
	}{
		{Other, false, "X-A", false, true, true},
		{Other, true, "X-A", false, false, false},
		{Framing, false, "Content-Length", false, false, false},
		{Hop, false, "Upgrade", false, false, false},
		{Host, false, "Host", false, false, true},
		{Trusted, false, "X-Gantry-Claims", false, false, true},
		{Trusted, false, "X-Request-Id", false, false, false},
		{Guarded, false, "Authorization", true, false, true},
		{Guarded, false, "Authorization", false, true, true},
		{Guarded, false, "Idempotency-Key", true, true, true},
	} {
		if got := ForwardRequestField(tc.kind, tc.nominated, tc.name, tc.dropToken); got != tc.req {
			t.Errorf("ForwardRequestField(%v, %v, %s, %v) = %v", tc.kind, tc.nominated, tc.name, tc.dropToken, got)
		}
		if got := ForwardResponseField(tc.kind, tc.nominated, tc.name); got != tc.resp {
			t.Errorf("ForwardResponseField(%v, %v, %s) = %v", tc.kind, tc.nominated, tc.name, got)
		}
	}
}
