package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// validate checks o and fills the defaults that need the file system.
func validate(o *options) error {
	if len(o.Name) > 40 || !nameRE.MatchString(o.Name) {
		return fmt.Errorf("NAME %q: want lower-case letters, digits and single hyphens, starting with a letter, at most 40 characters (like orders or order-api)", o.Name)
	}
	if o.Name == placeholderName {
		return fmt.Errorf("NAME %q is the template's own placeholder; choose another", o.Name)
	}
	if p := envName(o.Name); p == "GANTRY" || p == "OTEL" {
		return fmt.Errorf("NAME %q: its environment prefix %s_ belongs to the runtime; choose another", o.Name, p)
	}
	if err := checkModulePath(o.Module); err != nil {
		return fmt.Errorf("-module %q: %v", o.Module, err)
	}
	switch o.Store {
	case "none", "sqlite", "postgres":
	default:
		return fmt.Errorf("-store %q: want sqlite, postgres or none", o.Store)
	}
	if o.Replace == "" {
		o.Replace = findCheckout()
	}
	if o.Replace != "" {
		abs, err := filepath.Abs(o.Replace)
		if err != nil {
			return err
		}
		if mod, err := os.ReadFile(filepath.Join(abs, "go.mod")); err != nil || modulePath(mod) != gantryModule {
			return fmt.Errorf("-replace %s: want a checkout of %s (a directory with its go.mod)", o.Replace, gantryModule)
		}
		o.Replace = abs
	} else if gantryVersion() == "" {
		return fmt.Errorf("no Gantry release to require: give -replace with a checkout of %s", gantryModule)
	}
	return nil
}

// checkModulePath accepts what the go command accepts for a module of your
// own: slash-separated elements of letters, digits and ._~- , the first
// lower case and without a leading dot or hyphen.
func checkModulePath(p string) error {
	if p == "" {
		return fmt.Errorf("empty")
	}
	for i, elem := range strings.Split(p, "/") {
		if elem == "" || elem == "." || elem == ".." || strings.HasSuffix(elem, ".") {
			return fmt.Errorf("element %q is empty, dot or ends in a dot", elem)
		}
		for _, r := range elem {
			ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(".-_~", r) || i > 0 && r >= 'A' && r <= 'Z'
			if !ok {
				return fmt.Errorf("element %q: character %q not allowed", elem, r)
			}
		}
		if i == 0 && (strings.HasPrefix(elem, "-") || strings.HasPrefix(elem, ".")) {
			return fmt.Errorf("first element %q must not start with a hyphen or a dot", elem)
		}
	}
	if p == gantryModule || strings.HasPrefix(p, gantryModule+"/") {
		return fmt.Errorf("inside Gantry's own module path")
	}
	return nil
}
