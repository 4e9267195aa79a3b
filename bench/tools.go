//go:build tools

// This file keeps in go.mod and go.sum the modules of the main-module
// commands the harness builds (the gateway), which no package here imports.
package main

import (
	_ "github.com/gantrykit/gantry/gateway"
)
