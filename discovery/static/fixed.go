package static

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/gantrykit/gantry/discovery"
)

// Fixed returns an Instancer that always publishes addrs for service. Each
// Instance has the address as its ID. Use it for a dependency with a stable
// address, or in tests.
func Fixed(service string, addrs ...string) discovery.Instancer {
	c := discovery.NewCache()
	insts := make([]discovery.Instance, 0, len(addrs))
	for _, a := range addrs {
		insts = append(insts, discovery.Instance{Service: service, ID: a, Address: a})
	}
	c.Update(insts)
	return c
}

// Parse splits a list of addresses separated by commas, spaces or newlines;
// lines starting with # are comments. It returns an error if the list holds
// no address.
func Parse(list string) ([]string, error) {
	var addrs []string
	sc := bufio.NewScanner(strings.NewReader(list))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") {
			continue
		}
		addrs = append(addrs, strings.FieldsFunc(line, func(r rune) bool {
			return r == ',' || r == ' ' || r == '\t'
		})...)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("static: no address in list %q", list)
	}
	return addrs, nil
}

// FromEnv returns a Fixed Instancer of the addresses in the environment
// variable key (for example ORDERS_ADDRS="10.0.0.1:8080,10.0.0.2:8080"),
// read through getenv (os.Getenv in main). An unset or empty variable is an
// error naming it.
func FromEnv(getenv func(string) string, key, service string) (discovery.Instancer, error) {
	addrs, err := Parse(getenv(key))
	if err != nil {
		return nil, fmt.Errorf("static: environment variable %s: %w", key, err)
	}
	return Fixed(service, addrs...), nil
}

// FromFile returns a Fixed Instancer of the addresses in the file at path,
// read once: one or more per line, # starts a comment line. The file must
// be smaller than 1 MiB.
func FromFile(path, service string) (discovery.Instancer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	if len(data) > 1<<20 {
		return nil, fmt.Errorf("static: %s is %d bytes, limit 1 MiB", path, len(data))
	}
	addrs, err := Parse(string(bytes.TrimSpace(data)))
	if err != nil {
		return nil, fmt.Errorf("static: %s: %w", path, err)
	}
	return Fixed(service, addrs...), nil
}
