package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/readyz":
			io.WriteString(w, "ok\n")
		case "/draining":
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "draining\n")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	tests := []struct {
		name    string
		args    []string
		wantErr string // "" for success
	}{
		{"ready", []string{srv.URL + "/readyz"}, ""},
		{"draining", []string{srv.URL + "/draining"}, "answered 503: draining"},
		{"not found", []string{srv.URL + "/nope"}, "answered 404"},
		{"refused", []string{"-timeout", "1s", closedURL + "/readyz"}, "connect"},
		{"no url", nil, "usage"},
		{"two urls", []string{"http://a/", "http://b/"}, "usage"},
		{"not http", []string{"ftp://host/readyz"}, "not an http(s) URL"},
		{"no host", []string{"http:///readyz"}, "not an http(s) URL"},
		{"bad flag", []string{"-nope", srv.URL}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, io.Discard)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
