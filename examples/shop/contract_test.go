package main

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/internal/contract"
)

// TestContract runs the contract fuzzer (internal/contract) against the
// whole shop through the gateway, driven by the gateway's merged
// /openapi.json: schema-valid and schema-invalid requests to every
// operation, with the admin's token, a bad one and none. No answer may be a
// 5xx, every status must be one the operation documents, every JSON body
// must match its documented schema. It sends GANTRY_CONTRACT_REQUESTS per
// operation (default 400) for at most GANTRY_CONTRACT_DURATION (default
// 20s; .ci/run gives it more of both) and logs the seed, every
// counterexample and the summary; GANTRY_CONTRACT_SEED repeats a run.
func TestContract(t *testing.T) {
	d, n := 20*time.Second, 400
	if s := os.Getenv("GANTRY_CONTRACT_DURATION"); s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			t.Fatalf("GANTRY_CONTRACT_DURATION: %v", err)
		}
	}
	if s := os.Getenv("GANTRY_CONTRACT_REQUESTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("GANTRY_CONTRACT_REQUESTS: %v", err)
		}
	}
	var seed uint64
	if s := os.Getenv("GANTRY_CONTRACT_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("GANTRY_CONTRACT_SEED: %v", err)
		}
	}
	s := testShop(t, "", nil)
	// One login: the gateway limits logins per client, and the fuzzer
	// sends its own to the login operation.
	admin := login(t, s.URL(), "admin@example.com", "admin-secret").token
	var out strings.Builder
	res, err := contract.Run(context.Background(), contract.Config{
		BaseURL: s.URL(), Seed: seed, Requests: n, Duration: d, Out: &out,
		Token: func(context.Context) (string, error) { return admin, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	if res.Failed > 0 {
		t.Errorf("contract fuzz of the shop: %d of %d requests failed (seed %d); counterexamples above", res.Failed, res.Requests, res.Seed)
	}
}
