package http

import (
	"fmt"
	"net/textproto"
	"reflect"
	"strings"
	"unicode"
)

// walkFields lists the fields of struct type t and of the structs it
// embeds, breadth first, as encoding/json's typeFields finds them: an
// embedded struct (or pointer to one) without a JSON name is descended
// into, an unexported field is skipped unless it embeds a struct, a field
// tagged json:"-" is skipped, and an embedded type met twice at one depth
// yields its fields twice, so that dominant drops them as ambiguous.
func walkFields(t reflect.Type) []*field {
	type level struct {
		typ    reflect.Type
		index  []int
		off    uintptr
		embeds []embedded
	}
	var out []*field
	next := []level{{typ: t}}
	var count map[reflect.Type]int
	nextCount := map[reflect.Type]int{t: 1}
	visited := map[reflect.Type]bool{}
	for depth := 0; len(next) > 0; depth++ {
		current := next
		next = nil
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, lv := range current {
			if visited[lv.typ] {
				continue
			}
			visited[lv.typ] = true
			for i := range lv.typ.NumField() {
				sf := lv.typ.Field(i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if sf.Anonymous {
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validJSONName(name) {
					name = ""
				}
				index := append(lv.index[:len(lv.index):len(lv.index)], i)
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					f := &field{
						name: name, goName: sf.Name, typ: sf.Type, off: lv.off + sf.Offset, embeds: lv.embeds,
						index: index, sf: sf, depth: depth, tagged: name != "", jsonVisible: true,
						omitEmpty: hasOption(opts, "omitempty") || hasOption(opts, "omitzero"),
						quoted:    hasOption(opts, "string") && quotable(sf.Type),
					}
					if f.name == "" {
						f.name = sf.Name
					}
					out = append(out, f)
					if count[lv.typ] > 1 {
						dup := *f
						out = append(out, &dup)
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					nl := level{typ: ft, index: index, off: lv.off + sf.Offset, embeds: lv.embeds}
					if sf.Type.Kind() == reflect.Pointer {
						nl.embeds = append(lv.embeds[:len(lv.embeds):len(lv.embeds)], embedded{off: nl.off, typ: ft})
						nl.off = 0
					}
					next = append(next, nl)
				}
			}
		}
	}
	return out
}

// params collects the path, query and header fields of the top-level
// struct t, including those of the structs it embeds.
func (m *model) params(t reflect.Type) error {
	all := jsonFields(t)
	// Fields hidden from encoding/json by json:"-" are parameters too.
	for _, f := range walkAll(t) {
		if !f.isParam() {
			continue
		}
		visible := false
		for _, g := range all {
			if slicesEqual(g.index, f.index) {
				visible = true
			}
		}
		f.jsonVisible = visible
		m.paramsInJSON = m.paramsInJSON || visible
		if err := m.addParam(f); err != nil {
			return err
		}
	}
	return nil
}

// walkAll is walkFields without encoding/json's json:"-" rule: the
// parameters of a request may be hidden from its body.
func walkAll(t reflect.Type) []*field {
	var out []*field
	var walk func(t reflect.Type, index []int, off uintptr, embeds []embedded)
	walk = func(t reflect.Type, index []int, off uintptr, embeds []embedded) {
		for i := range t.NumField() {
			sf := t.Field(i)
			idx := append(index[:len(index):len(index)], i)
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			_, inPath := sf.Tag.Lookup("path")
			_, inQuery := sf.Tag.Lookup("query")
			_, inHeader := sf.Tag.Lookup("header")
			isParam := inPath || inQuery || inHeader
			if sf.Anonymous && ft.Kind() == reflect.Struct && !isParam {
				if sf.Type.Kind() == reflect.Pointer {
					walk(ft, idx, 0, append(embeds[:len(embeds):len(embeds)], embedded{off: off + sf.Offset, typ: ft}))
				} else {
					walk(ft, idx, off+sf.Offset, embeds)
				}
				continue
			}
			if sf.IsExported() && isParam {
				out = append(out, &field{goName: sf.Name, typ: sf.Type, off: off + sf.Offset, embeds: embeds, index: idx, sf: sf})
			}
		}
	}
	walk(t, nil, 0, nil)
	return out
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func hasOption(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// quotable reports whether encoding/json's ",string" option applies to t:
// strings, floats, integers and bools (or pointers to them).
func quotable(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	}
	return false
}

// validJSONName is encoding/json's isValidTag: the names it accepts from
// a tag.
func validJSONName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// paramName is the wildcard, query key or header name of a parameter
// field; a header name in canonical form.
func paramName(f *field) string {
	tag, ok := f.sf.Tag.Lookup("path")
	if !ok {
		tag, ok = f.sf.Tag.Lookup("query")
	}
	header := !ok
	if header {
		tag = f.sf.Tag.Get("header")
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.goName
	}
	if header {
		return textproto.CanonicalMIMEHeaderKey(name)
	}
	return name
}

// addParam adds the path, query or header field f to m.
func (m *model) addParam(f *field) error {
	_, inPath := f.sf.Tag.Lookup("path")
	_, inQuery := f.sf.Tag.Lookup("query")
	_, inHeader := f.sf.Tag.Lookup("header")
	if btoi(inPath)+btoi(inQuery)+btoi(inHeader) > 1 {
		return fmt.Errorf("field %s has more than one of the path, query and header tags", f.goName)
	}
	f.name = paramName(f)
	r, err := compileRules(f.tag("validate"), f.typ)
	if err != nil {
		return fmt.Errorf("field %s: %w", f.goName, err)
	}
	f.rules = r
	if f.param, err = newParam(f); err != nil {
		return fmt.Errorf("field %s: %w", f.goName, err)
	}
	if inPath {
		if f.param.multi {
			return fmt.Errorf("path field %s cannot be a slice", f.goName)
		}
		f.in = locPath
		m.path = append(m.path, f)
		return nil
	}
	if inHeader {
		if f.param.multi {
			return fmt.Errorf("header field %s cannot be a slice", f.goName)
		}
		if !isToken(f.name) {
			return fmt.Errorf("header field %s: %q is not a header name", f.goName, f.name)
		}
		f.in = locHeader
		m.header = append(m.header, f)
		return nil
	}
	f.in = locQuery
	m.queryIdx[f.name] = len(m.query)
	m.query = append(m.query, f)
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isToken reports whether s is an HTTP token (RFC 9110, section 5.6.2),
// the syntax of a header name.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
