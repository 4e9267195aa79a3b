package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// checkIdempotencyKey places orders with an Idempotency-Key through the
// gateway of a shop with two order replicas on one PostgreSQL database:
// racers sending one key at once get one order, every one of them the
// same 202 answer, byte for byte, as a later repeat does; the key with
// other items is a 422 problem; the gateway's document lists the header.
func checkIdempotencyKey(t *testing.T, base string, u api, productID string) {
	post := func(key, body string) (int, []byte) {
		req, _ := http.NewRequest("POST", base+"/api/v1/orders", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+u.token)
		req.Header.Set("Idempotency-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	body := `{"items":[{"product_id":"` + productID + `","quantity":1}]}`
	var before struct{ Items []orderView }
	u.want(200, "GET", "/api/v1/orders", nil, &before)

	const racers = 12
	statuses, bodies := make([]int, racers), make([][]byte, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() { defer wg.Done(); statuses[i], bodies[i] = post(`"race-1"`, body) }()
	}
	wg.Wait()
	for i := range racers {
		if statuses[i] != 202 || !bytes.Equal(bodies[i], bodies[0]) {
			t.Errorf("racer %d: %d %s, want 202 %s", i, statuses[i], bodies[i], bodies[0])
		}
	}
	var o orderView
	if err := json.Unmarshal(bodies[0], &o); err != nil || o.ID == "" {
		t.Fatalf("answer %s: %v", bodies[0], err)
	}
	settle(t, u, o.ID)
	if status, b := post("race-1", body); status != 202 || !bytes.Equal(b, bodies[0]) {
		t.Errorf("repeat after settling: %d %s, want 202 %s (the first answer)", status, b, bodies[0])
	}
	var after struct{ Items []orderView }
	u.want(200, "GET", "/api/v1/orders", nil, &after)
	if len(after.Items) != len(before.Items)+1 {
		t.Errorf("%d orders after %d racers and a repeat with one key, want %d", len(after.Items), racers, len(before.Items)+1)
	}

	status, b := post("race-1", `{"items":[{"product_id":"`+productID+`","quantity":2}]}`)
	var p struct {
		Status int
		Errors []struct{ Field string }
	}
	json.Unmarshal(b, &p)
	if status != 422 || p.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "Idempotency-Key" {
		t.Errorf("key reused with other items: %d %s, want a 422 problem naming Idempotency-Key", status, b)
	}

	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name, In string }
			Responses  map[string]any
		}
	}
	(api{t: t, base: base}).want(200, "GET", "/openapi.json", nil, &doc)
	op := doc.Paths["/api/v1/orders"]["post"]
	if len(op.Parameters) != 1 || op.Parameters[0].Name != "Idempotency-Key" || op.Parameters[0].In != "header" || op.Responses["422"] == nil {
		t.Errorf("createOrder documents parameters %+v and answers %v, want the Idempotency-Key header and 422", op.Parameters, op.Responses)
	}
}
