package main

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/kit"
)

// TestTokenAcrossUserReplicasOnPostgres: a token issued by one user
// replica is accepted through the gateway while the other replica serves
// the next request. Which replica issued it, and which served each call,
// is read from the replicas' own metrics; then the issuer is stopped, and
// the token still passes the gateway and the remaining replica.
func TestTokenAcrossUserReplicasOnPostgres(t *testing.T) {
	s := replicaShop(t, 2)
	users := s.Replicas["user"]
	before := [2]int{okCalls(t, users[0], "login"), okCalls(t, users[1], "login")}
	u := signup(t, s.URL(), "roamer@example.com")
	issuer := -1
	for i, app := range users {
		if okCalls(t, app, "login") > before[i] {
			issuer = i
		}
	}
	if issuer < 0 {
		t.Fatal("no user replica counted the login")
	}
	other := users[1-issuer]
	for n := 0; okCalls(t, other, "profile") == 0 && n < 50; n++ {
		u.want(200, "GET", "/api/v1/users/me", nil, nil)
	}
	if okCalls(t, other, "profile") == 0 {
		t.Fatalf("in 50 calls the gateway never sent the token to user replica %d, which did not issue it", 2-issuer)
	}
	s.stopApp(users[issuer])
	var me struct{ Email string }
	u.want(200, "GET", "/api/v1/users/me", nil, &me)
	if me.Email != "roamer@example.com" {
		t.Errorf("profile %+v with the issuer stopped, want roamer's", me)
	}
}

// okCalls counts the successful calls of op that app's /metrics reports.
func okCalls(t *testing.T, app *kit.App, op string) int {
	t.Helper()
	resp, err := http.Get("http://" + app.AdminAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "rpc_server_call_duration_seconds_count{") &&
			strings.Contains(line, `method="`+op+`"`) && strings.Contains(line, `code="ok"`) {
			v, _ := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			n += int(v)
		}
	}
	return n
}
