package main

import (
	"strings"
	"testing"

	"github.com/gantrykit/gantry/kit"
)

// TestTokenAcrossUserReplicasOnPostgres: a token issued by one user
// replica is accepted through the gateway while the other replica serves
// the next request. Which replica issued it, and which served each call,
// is read from the replicas' own metrics; the issuer is stopped, and the
// token still passes the gateway and the remaining replica, which serves
// the call.
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
	// The gateway balances by latency (peak EWMA), so which replica serves
	// the next calls is not ours to choose: a few calls may reach the other
	// replica while both run. Then the issuer is stopped, and the next call
	// can only be served by the replica that did not issue the token.
	for n := 0; okCalls(t, other, "profile") == 0 && n < 20; n++ {
		u.want(200, "GET", "/api/v1/users/me", nil, nil)
	}
	servedWhileBoth := okCalls(t, other, "profile")
	s.stopApp(users[issuer])
	var me struct{ Email string }
	u.want(200, "GET", "/api/v1/users/me", nil, &me)
	if me.Email != "roamer@example.com" {
		t.Errorf("profile %+v with the issuer stopped, want roamer's", me)
	}
	if n := okCalls(t, other, "profile"); n <= servedWhileBoth {
		t.Fatalf("user replica %d, which did not issue the token, served %d profile calls (%d before the issuer stopped); want one more", 2-issuer, n, servedWhileBoth)
	}
	t.Logf("user replica %d issued the token; replica %d served %d profile calls while both ran, then the next with the issuer stopped", issuer+1, 2-issuer, servedWhileBoth)
}

// okCalls counts the successful calls of op that app's /metrics reports.
func okCalls(t *testing.T, app *kit.App, op string) int {
	t.Helper()
	return countCalls(t, app.AdminAddr(), func(line string) bool {
		return strings.Contains(line, `method="`+op+`"`) && strings.Contains(line, `code="ok"`)
	})
}
