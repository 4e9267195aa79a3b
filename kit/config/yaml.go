package config

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// loadYAML applies the document in data to the sections. Every key must
// be known: a typo is an error, not a silently ignored setting.
func loadYAML(name string, data []byte, sections []Section, all [][]field) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("config: %s: %w", name, err)
	}
	if len(doc.Content) == 0 { // empty file
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("config: %s:%d: the document must be a mapping of sections", name, root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		idx := -1
		for j, s := range sections {
			if s.Key == k.Value {
				idx = j
			}
		}
		if idx < 0 {
			var known []string
			for _, s := range sections {
				known = append(known, s.Key)
			}
			return fmt.Errorf("config: %s:%d: unknown section %q (known: %s)", name, k.Line, k.Value, strings.Join(known, ", "))
		}
		if err := applyNode(name, v, []string{k.Value}, 1, all[idx]); err != nil {
			return err
		}
	}
	return nil
}

// applyNode walks mapping node n, whose path is path; depth is the number of
// leading path elements that are the section key.
func applyNode(file string, n *yaml.Node, path []string, depth int, fs []field) error {
	at := func(line int, key string) string {
		return fmt.Sprintf("config: %s:%d: %s", file, line, key)
	}
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: want a mapping", at(n.Line, strings.Join(path, ".")))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := append(append([]string(nil), path...), k.Value)
		key := strings.Join(p, ".")
		rel := p[depth:]
		leaf, branch := lookup(fs, rel)
		switch {
		case leaf != nil:
			if err := applyLeaf(leaf, v); err != nil {
				return fmt.Errorf("%s: %w", at(v.Line, key), err)
			}
		case branch:
			if err := applyNode(file, v, p, depth, fs); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: unknown key", at(k.Line, key))
		}
	}
	return nil
}

// lookup finds the leaf at rel, or reports that rel is a prefix of some
// leaf's path (a nested struct).
func lookup(fs []field, rel []string) (*field, bool) {
	branch := false
	for i := range fs {
		p := fs[i].path
		if len(p) < len(rel) || !equal(p[:len(rel)], rel) {
			continue
		}
		if len(p) == len(rel) {
			return &fs[i], false
		}
		branch = true
	}
	return nil, branch
}

func equal(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

func applyLeaf(f *field, v *yaml.Node) error {
	if isNull(v) {
		return nil
	}
	if v.Kind == yaml.SequenceNode && f.v.Kind() == reflect.Slice {
		list := make([]string, 0, len(v.Content))
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode {
				return fmt.Errorf("want a list of scalars")
			}
			list = append(list, item.Value)
		}
		f.v.Set(reflect.ValueOf(list).Convert(f.v.Type()))
		return nil
	}
	if v.Kind != yaml.ScalarNode {
		return fmt.Errorf("want a scalar value")
	}
	return set(f.v, v.Value)
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}
