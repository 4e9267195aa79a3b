package http

import (
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// flatEncoder writes a flat struct of strings, bools and integers exactly
// as encoding/json's Encoder.Encode does (HTML escaping on, a trailing
// newline), byte for byte, reading the fields through offsets fixed at
// construction instead of reflecting per call. newFlatEncoder returns nil
// for every other type, which then goes through encoding/json: a typical
// small answer is encoded in a fraction of the time, and without boxing it
// into an interface.
type flatEncoder struct {
	fields []flatField
}

type flatField struct {
	key       string // `"name":`
	off       uintptr
	kind      reflect.Kind
	omitEmpty bool
}

// newFlatEncoder returns an encoder for t, or nil when t is not a struct
// whose exported fields are all strings, bools or integers (named types
// included) without custom marshalling, tagged with at most a plain name
// and omitempty. Anything else (embedded fields, floats, the string
// option, unusual key characters) is left to encoding/json.
func newFlatEncoder(t reflect.Type) *flatEncoder {
	if t.Kind() != reflect.Struct || marshals(t) {
		return nil
	}
	e := &flatEncoder{}
	seen := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return nil
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		omit := false
		for opts != "" {
			var o string
			o, opts, _ = strings.Cut(opts, ",")
			if o != "omitempty" {
				return nil
			}
			omit = true
		}
		if !plainKey(name) || seen[name] || marshals(f.Type) {
			return nil
		}
		seen[name] = true
		switch k := f.Type.Kind(); k {
		case reflect.String, reflect.Bool,
			reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			e.fields = append(e.fields, flatField{key: `"` + name + `":`, off: f.Offset, kind: k, omitEmpty: omit})
		default:
			return nil
		}
	}
	return e
}

// marshals reports whether t or *t has a method encoding/json would call.
func marshals(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType) ||
		pt.Implements(jsonMarshalerType) || pt.Implements(textMarshalerType)
}

// plainKey reports whether name is a key encoding/json would use as given
// and write without escaping.
func plainKey(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return name != ""
}

// appendJSON appends the value at p (of the encoder's type) and a newline.
func (e *flatEncoder) appendJSON(b []byte, p unsafe.Pointer) []byte {
	b = append(b, '{')
	first := true
	for i := range e.fields {
		f := &e.fields[i]
		v := unsafe.Add(p, f.off)
		var (
			s     string
			n     int64
			u     uint64
			isInt bool
			isU   bool
		)
		switch f.kind {
		case reflect.String:
			s = *(*string)(v)
			if f.omitEmpty && s == "" {
				continue
			}
		case reflect.Bool:
			if f.omitEmpty && !*(*bool)(v) {
				continue
			}
		case reflect.Int:
			n, isInt = int64(*(*int)(v)), true
		case reflect.Int8:
			n, isInt = int64(*(*int8)(v)), true
		case reflect.Int16:
			n, isInt = int64(*(*int16)(v)), true
		case reflect.Int32:
			n, isInt = int64(*(*int32)(v)), true
		case reflect.Int64:
			n, isInt = *(*int64)(v), true
		case reflect.Uint:
			u, isU = uint64(*(*uint)(v)), true
		case reflect.Uint8:
			u, isU = uint64(*(*uint8)(v)), true
		case reflect.Uint16:
			u, isU = uint64(*(*uint16)(v)), true
		case reflect.Uint32:
			u, isU = uint64(*(*uint32)(v)), true
		case reflect.Uint64:
			u, isU = *(*uint64)(v), true
		case reflect.Uintptr:
			u, isU = uint64(*(*uintptr)(v)), true
		}
		if f.omitEmpty && (isInt && n == 0 || isU && u == 0) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, f.key...)
		switch {
		case f.kind == reflect.String:
			b = appendJSONString(b, s)
		case f.kind == reflect.Bool:
			b = strconv.AppendBool(b, *(*bool)(v))
		case isInt:
			b = strconv.AppendInt(b, n, 10)
		default:
			b = strconv.AppendUint(b, u, 10)
		}
	}
	return append(b, '}', '\n')
}

// appendJSONString appends s quoted as encoding/json does with HTML
// escaping: <, > and & as \u003c..., control characters, invalid UTF-8 as
// \ufffd, and U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
