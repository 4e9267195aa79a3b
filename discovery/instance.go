package discovery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Instance is one running copy of a service as a registry stores it.
//
// Service and ID name it: ID is unique within Service and stays the same for
// the life of the process (a pod name, a hostname plus port, a random ID).
// Address is what instancers publish to go-kit (sd.Event.Instances): for an
// HTTP service a base URL or host:port, whatever the client factory expects.
// Transports holds further addresses by transport name ("grpc" →
// "10.0.0.5:9090"). Maps are owned by the Instance; copy before sharing one
// Instance between goroutines that modify it.
type Instance struct {
	Service    string            `json:"service"`
	ID         string            `json:"id"`
	Address    string            `json:"address"`
	Transports map[string]string `json:"transports,omitempty"`
	Version    string            `json:"version,omitempty"`
	Zone       string            `json:"zone,omitempty"`
	Metadata   map[string]string `json:"metadata,omitempty"`
}

// ErrInvalidInstance is wrapped by every error Validate returns.
var ErrInvalidInstance = errors.New("discovery: invalid instance")

// MaxEncodedSize bounds an encoded Instance; Unmarshal refuses larger input.
const MaxEncodedSize = 64 << 10

// Validate reports whether inst can be registered: Service and ID must be
// 1–128 characters of [A-Za-z0-9_=-] (they become registry keys in every
// backend), and Address must not be empty.
func (inst Instance) Validate() error {
	if err := validName("service", inst.Service); err != nil {
		return err
	}
	if err := validName("id", inst.ID); err != nil {
		return err
	}
	if inst.Address == "" {
		return fmt.Errorf("%w: %s/%s has an empty address", ErrInvalidInstance, inst.Service, inst.ID)
	}
	return nil
}

func validName(field, s string) error {
	if s == "" || len(s) > 128 {
		return fmt.Errorf("%w: %s %q must be 1-128 characters", ErrInvalidInstance, field, s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '='
		if !ok {
			return fmt.Errorf("%w: %s %q has %q at %d; use [A-Za-z0-9_=-]", ErrInvalidInstance, field, s, c, i)
		}
	}
	return nil
}

// Marshal encodes inst as JSON, the value format every key-value backend
// (natskv, etcd) stores. It validates inst first.
func Marshal(inst Instance) ([]byte, error) {
	if err := inst.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(inst)
}

// Unmarshal decodes a value written by Marshal. Unknown fields are ignored,
// so older readers accept newer writers. Input that is not a JSON object,
// larger than MaxEncodedSize, or that decodes to an invalid Instance is an
// error; Unmarshal never panics.
func Unmarshal(data []byte) (Instance, error) {
	var inst Instance
	if len(data) > MaxEncodedSize {
		return inst, fmt.Errorf("discovery: encoded instance is %d bytes, limit %d", len(data), MaxEncodedSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&inst); err != nil {
		return Instance{}, fmt.Errorf("discovery: decode instance: %w", err)
	}
	if dec.More() {
		return Instance{}, errors.New("discovery: decode instance: trailing data after JSON object")
	}
	if err := inst.Validate(); err != nil {
		return Instance{}, err
	}
	return inst, nil
}
