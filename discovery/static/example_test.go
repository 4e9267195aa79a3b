package static_test

import (
	"fmt"

	"github.com/gantrykit/gantry/discovery/static"
)

// A dependency's addresses from the environment, for a deployment without a
// registry.
func ExampleFromEnv() {
	getenv := func(key string) string {
		return map[string]string{"PAYMENTS_ADDRS": "10.0.0.7:8080, 10.0.0.8:8080"}[key]
	}
	payments, err := static.FromEnv(getenv, "PAYMENTS_ADDRS", "payments")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, in := range payments.Instances() {
		fmt.Println(in.Address)
	}
	// Output:
	// 10.0.0.7:8080
	// 10.0.0.8:8080
}
