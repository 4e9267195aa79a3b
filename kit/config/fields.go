package config

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Section binds one struct to a top-level YAML key, an environment prefix
// and a flag prefix.
type Section struct {
	// Key is the top-level YAML key, e.g. "gantry" or "service".
	Key string
	// EnvPrefix starts every environment variable name, e.g. "GANTRY".
	// Empty means no environment variables for this section.
	EnvPrefix string
	// FlagPrefix starts every flag name, e.g. "db" for -db-url. Empty
	// means the keys' own names.
	FlagPrefix string
	// Target is a non-nil pointer to a struct holding the defaults. Load
	// writes into it.
	Target any
}

// Key describes one configuration key of a section, for usage text and
// documentation.
type Key struct {
	Path    string // dotted YAML path, e.g. "gantry.tls.cert_file"
	Env     string // environment variable, "" when the section has no EnvPrefix
	Flag    string // flag name without the dash, "" for secrets
	Help    string // the help tag
	Default string // the value before loading, "" for secrets
	Type    string // the Go type, e.g. "time.Duration"
}

// field is one leaf of a section's struct.
type field struct {
	path   []string // YAML keys from the section root
	env    string
	flag   string
	help   string
	secret bool
	v      reflect.Value // settable
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	textType     = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// fields lists the leaves of s.Target in declaration order.
func (s Section) fields() ([]field, error) {
	rv := reflect.ValueOf(s.Target)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("config: section %q: Target must be a non-nil pointer to a struct, got %T", s.Key, s.Target)
	}
	var out []field
	err := walk(rv.Elem(), nil, s, &out)
	return out, err
}

func walk(v reflect.Value, path []string, s Section, out *[]field) error {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name := strings.Split(sf.Tag.Get("yaml"), ",")[0]
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		p := append(append([]string(nil), path...), name)
		fv := v.Field(i)
		if isLeaf(fv) {
			if !supported(fv.Type()) {
				return fmt.Errorf("config: %s.%s: unsupported type %s", s.Key, strings.Join(p, "."), fv.Type())
			}
			f := field{path: p, help: sf.Tag.Get("help"), secret: sf.Tag.Get("secret") == "true", v: fv}
			words := strings.Join(p, "_")
			if s.EnvPrefix != "" {
				f.env = strings.ToUpper(s.EnvPrefix + "_" + words)
			}
			if !f.secret {
				f.flag = strings.ReplaceAll(words, "_", "-")
				if s.FlagPrefix != "" {
					f.flag = s.FlagPrefix + "-" + f.flag
				}
			}
			*out = append(*out, f)
			continue
		}
		if err := walk(fv, p, s, out); err != nil {
			return err
		}
	}
	return nil
}

// isLeaf reports whether v is a value rather than a nested section.
func isLeaf(v reflect.Value) bool {
	return v.Kind() != reflect.Struct || reflect.PointerTo(v.Type()).Implements(textType)
}

func supported(t reflect.Type) bool {
	if reflect.PointerTo(t).Implements(textType) || t == durationType {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	case reflect.Slice:
		return t.Elem() == reflect.TypeFor[string]()
	}
	return false
}

// set parses s into v according to v's type.
func set(v reflect.Value, s string) error {
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		return u.UnmarshalText([]byte(s))
	}
	if v.Type() == durationType {
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 0, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 0, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetFloat(n)
	case reflect.Slice:
		var list []string
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, item)
			}
		}
		v.Set(reflect.ValueOf(list).Convert(v.Type()))
	}
	return nil
}

// format renders v the way set reads it back.
func format(v reflect.Value) string {
	if m, ok := v.Interface().(encoding.TextMarshaler); ok {
		b, err := m.MarshalText()
		if err == nil {
			return string(b)
		}
	}
	if v.Kind() == reflect.Slice {
		return strings.Join(v.Convert(reflect.TypeFor[[]string]()).Interface().([]string), ",")
	}
	return fmt.Sprint(v.Interface())
}
