package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// What a plain service holds: templates new -dir DIR orders.
func Example() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	target := filepath.Join(dir, "orders")
	if err := run(context.Background(), []string{"new", "-replace", "..", "-dir", target, "orders"}, io.Discard, os.Stderr); err != nil {
		fmt.Println(err)
		return
	}
	filepath.WalkDir(target, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(target, path)
			fmt.Println(filepath.ToSlash(rel))
		}
		return err
	})
	// Output:
	// .dockerignore
	// .github/workflows/ci.yml
	// .gitignore
	// Dockerfile
	// Makefile
	// README.md
	// cmd/orders/main.go
	// cmd/orders/main_test.go
	// config.yaml
	// deploy/k8s/deployment.yaml
	// deploy/k8s/hpa.yaml
	// deploy/k8s/kustomization.yaml
	// deploy/k8s/pdb.yaml
	// deploy/k8s/service.yaml
	// go.mod
	// go.sum
	// internal/api/endpoints.go
	// internal/api/http.go
	// internal/api/http_test.go
	// internal/api/ops.go
	// internal/items/items.go
	// internal/items/items_test.go
	// internal/items/memory.go
}
