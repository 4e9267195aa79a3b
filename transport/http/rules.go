package http

import (
	"fmt"
	"net/mail"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// rules is one field's compiled `validate:"..."` tag.
type rules struct {
	required bool    // present in the JSON document (or the query string)
	checks   []check // run on a present, non-null value, in tag order
}

// check is one rule bound to a field's type: its test and the constraint
// the OpenAPI schema states for it.
type check struct {
	// test returns what is wrong with the value at p ("" when nothing),
	// p pointing at the field's type with its pointers followed.
	test func(p unsafe.Pointer) string
	// schema adds the rule's constraint to the value's schema.
	schema func(s *schema)
}

// ruleDef is one row of the table of validate rules. build binds the rule
// to a field's type t (pointers followed) and its argument, or says why it
// does not apply.
type ruleDef struct {
	name  string
	arg   bool // takes =value
	build func(t reflect.Type, arg string) (check, error)
}

// ruleTable is every rule the validate tag knows. A rule is written once
// here, with its check, its schema constraint and its message; each
// constraint is in the unit JSON Schema uses for it (characters for string
// lengths), and where the code needs another unit it is a rule of its own
// that both enforces and states it (maxbytes).
//
//	required      present in the JSON document (a member, or a query key);
//	              any value of its type, "" and [] included
//	min=N, max=N  numbers: the value (minimum, maximum); strings: the
//	              length in characters, Unicode code points (minLength,
//	              maxLength); slices and arrays: items (minItems, maxItems);
//	              maps: members (minProperties, maxProperties)
//	maxbytes=N    strings: the length in bytes of its UTF-8 form, for code
//	              that stores or hashes bytes (bcrypt reads 72); the schema
//	              gets maxLength N (a string of N bytes has at most N
//	              characters) and the extension x-maxBytes N
//	email         strings: a bare address such as ada@example.com (format
//	              email)
//	oneof=a b c   strings and integers: one of the space-separated values
//	              (enum)
//
// Rules other than required apply to values that are present: an absent
// optional member passes whatever its rules, as the schema says.
var ruleTable = [...]ruleDef{
	{"required", false, nil},
	{"min", true, bound(true)},
	{"max", true, bound(false)},
	{"maxbytes", true, maxBytes},
	{"email", false, email},
	{"oneof", true, oneOf},
}

// compileRules parses a validate tag for a field of type t.
func compileRules(tag string, t reflect.Type) (rules, error) {
	var r rules
	if tag == "" || tag == "-" {
		return r, nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for part := range strings.SplitSeq(tag, ",") {
		key, val, hasVal := strings.Cut(strings.TrimSpace(part), "=")
		def := lookupRule(key)
		if def == nil || def.arg != hasVal || hasVal && strings.TrimSpace(val) == "" {
			return r, fmt.Errorf("validate tag %q: unknown rule %q", tag, part)
		}
		if def.build == nil {
			r.required = true
			continue
		}
		c, err := def.build(t, val)
		if err != nil {
			return r, fmt.Errorf("validate tag %q: %s: %w", tag, key, err)
		}
		r.checks = append(r.checks, c)
	}
	return r, nil
}

func lookupRule(name string) *ruleDef {
	for i := range ruleTable {
		if ruleTable[i].name == name {
			return &ruleTable[i]
		}
	}
	return nil
}

// run returns the first failed check's message for the value of type t at
// p, or "" (also for a nil pointer: a null value has no rules).
func (r *rules) run(t reflect.Type, p unsafe.Pointer) string {
	if len(r.checks) == 0 {
		return ""
	}
	for t.Kind() == reflect.Pointer {
		p = *(*unsafe.Pointer)(p)
		if p == nil {
			return ""
		}
		t = t.Elem()
	}
	for i := range r.checks {
		if msg := r.checks[i].test(p); msg != "" {
			return msg
		}
	}
	return ""
}

// schema adds every rule's constraint to s.
func (r *rules) schema(s *schema) {
	for i := range r.checks {
		r.checks[i].schema(s)
	}
}

// bound builds min (lower) or max.
func bound(lower bool) func(t reflect.Type, arg string) (check, error) {
	return func(t reflect.Type, arg string) (check, error) {
		n, err := strconv.ParseFloat(arg, 64)
		if err != nil {
			return check{}, fmt.Errorf("wants a number, got %q", arg)
		}
		word, ok := "most", func(v float64) bool { return v <= n }
		if lower {
			word, ok = "least", func(v float64) bool { return v >= n }
		}
		// pick chooses the lower or upper keyword of a pair.
		pick := func(lo, hi **int) **int {
			if lower {
				return lo
			}
			return hi
		}
		var size func(p unsafe.Pointer) int
		var keyword func(s *schema) **int
		unit := "items"
		switch k := t.Kind(); {
		case isNumber(k):
			load := numberLoader(t)
			msg := "must be at " + word + " " + arg
			return check{
				test: func(p unsafe.Pointer) string { return failIf(!ok(load(p)), msg) },
				schema: func(s *schema) {
					if lower {
						s.Minimum = &n
					} else {
						s.Maximum = &n
					}
				},
			}, nil
		case k == reflect.String:
			unit = "characters"
			size = func(p unsafe.Pointer) int { return utf8.RuneCountInString(*(*string)(p)) }
			keyword = func(s *schema) **int { return pick(&s.MinLength, &s.MaxLength) }
		case k == reflect.Map:
			size = func(p unsafe.Pointer) int { return reflect.NewAt(t, p).Elem().Len() }
			keyword = func(s *schema) **int { return pick(&s.MinProperties, &s.MaxProperties) }
		case k == reflect.Slice || k == reflect.Array:
			size = func(p unsafe.Pointer) int { return reflect.NewAt(t, p).Elem().Len() }
			keyword = func(s *schema) **int { return pick(&s.MinItems, &s.MaxItems) }
		default:
			return check{}, fmt.Errorf("does not apply to %v", t)
		}
		if n < 0 || n != float64(int(n)) {
			return check{}, fmt.Errorf("a length wants a whole number >= 0, got %q", arg)
		}
		count := int(n)
		msg := "must have at " + word + " " + arg + " " + unit
		return check{
			test:   func(p unsafe.Pointer) string { return failIf(!ok(float64(size(p))), msg) },
			schema: func(s *schema) { *keyword(s) = &count },
		}, nil
	}
}

func maxBytes(t reflect.Type, arg string) (check, error) {
	n, err := strconv.Atoi(arg)
	if t.Kind() != reflect.String {
		return check{}, fmt.Errorf("applies to strings, not %v", t)
	}
	if err != nil || n < 0 {
		return check{}, fmt.Errorf("wants a whole number >= 0, got %q", arg)
	}
	msg := "must have at most " + arg + " bytes in UTF-8"
	return check{
		test: func(p unsafe.Pointer) string { return failIf(len(*(*string)(p)) > n, msg) },
		schema: func(s *schema) {
			if s.MaxLength == nil || *s.MaxLength > n {
				s.MaxLength = &n
			}
			s.MaxBytes = &n
		},
	}, nil
}

func email(t reflect.Type, _ string) (check, error) {
	if t.Kind() != reflect.String {
		return check{}, fmt.Errorf("applies to strings, not %v", t)
	}
	return check{
		test:   func(p unsafe.Pointer) string { return failIf(!isEmail(*(*string)(p)), "must be an email address") },
		schema: func(s *schema) { s.Format = "email" },
	}, nil
}

func oneOf(t reflect.Type, arg string) (check, error) {
	values := strings.Fields(arg)
	k := t.Kind()
	msg := "must be one of " + strings.Join(values, ", ")
	switch {
	case k == reflect.String:
		enum := make([]any, len(values))
		for i, v := range values {
			enum[i] = v
		}
		return check{
			test: func(p unsafe.Pointer) string {
				s := *(*string)(p)
				for _, v := range values {
					if s == v {
						return ""
					}
				}
				return msg
			},
			schema: func(s *schema) { s.Enum = enum },
		}, nil
	case isNumber(k) && k < reflect.Float32:
		nums := make([]float64, len(values))
		enum := make([]any, len(values))
		for i, v := range values {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return check{}, fmt.Errorf("wants integers for %v, got %q", t, v)
			}
			nums[i], enum[i] = float64(n), n
		}
		load := numberLoader(t)
		return check{
			test: func(p unsafe.Pointer) string {
				x := load(p)
				for _, n := range nums {
					if x == n {
						return ""
					}
				}
				return msg
			},
			schema: func(s *schema) { s.Enum = enum },
		}, nil
	}
	return check{}, fmt.Errorf("applies to strings and integers, not %v", t)
}

func failIf(bad bool, msg string) string {
	if bad {
		return msg
	}
	return ""
}

func isNumber(k reflect.Kind) bool { return k >= reflect.Int && k <= reflect.Float64 }

// numberLoader reads a number of type t as a float64.
func numberLoader(t reflect.Type) func(p unsafe.Pointer) float64 {
	switch t.Kind() {
	case reflect.Int:
		return func(p unsafe.Pointer) float64 { return float64(*(*int)(p)) }
	case reflect.Int64:
		return func(p unsafe.Pointer) float64 { return float64(*(*int64)(p)) }
	case reflect.Float64:
		return func(p unsafe.Pointer) float64 { return *(*float64)(p) }
	}
	return func(p unsafe.Pointer) float64 {
		v := reflect.NewAt(t, p).Elem()
		switch {
		case v.CanInt():
			return float64(v.Int())
		case v.CanUint():
			return float64(v.Uint())
		}
		return v.Float()
	}
}

func isEmail(s string) bool {
	if s == "" || strings.ContainsAny(s, " <>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}
