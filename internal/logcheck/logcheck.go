// Package logcheck reads JSON log lines as strictly as a log pipeline
// that rejects ambiguity would: a line must be exactly one JSON object,
// and no object in it may hold a key twice. Tests use it to hold the
// logging guarantees of package telemetry over real output.
package logcheck

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Parse decodes one log line. It fails if the line is not one JSON object
// or if any object in it repeats a key.
func Parse(line []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	v, err := value(d)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("data after the object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("got %T, want an object", v)
	}
	return m, nil
}

// Lines parses every non-empty line of r. It stops at the first line that
// fails, naming its number.
func Lines(r io.Reader) ([]map[string]any, error) {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 64<<10), 4<<20)
	var out []map[string]any
	for n := 1; s.Scan(); n++ {
		if len(bytes.TrimSpace(s.Bytes())) == 0 {
			continue
		}
		m, err := Parse(s.Bytes())
		if err != nil {
			return out, fmt.Errorf("line %d: %w: %s", n, err, s.Bytes())
		}
		out = append(out, m)
	}
	return out, s.Err()
}

func value(d *json.Decoder) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		m := map[string]any{}
		for d.More() {
			k, err := d.Token()
			if err != nil {
				return nil, err
			}
			key := k.(string) // the decoder only yields strings here
			if _, dup := m[key]; dup {
				return nil, fmt.Errorf("key %q twice in one object", key)
			}
			if m[key], err = value(d); err != nil {
				return nil, err
			}
		}
		_, err := d.Token() // '}'
		return m, err
	case json.Delim('['):
		var a []any
		for d.More() {
			v, err := value(d)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := d.Token() // ']'
		return a, err
	}
	return tok, nil
}
