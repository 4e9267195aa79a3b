package conformance

import (
	"maps"
	"slices"
	"strings"
)

// RequestSeeds returns, for every vector, the bytes its client sends (with
// "{name}" replaced as the suite does): the smuggling corpus the request
// parsers' fuzz targets start from.
func RequestSeeds() []string {
	var seeds []string
	for _, v := range Vectors() {
		seeds = append(seeds, strings.ReplaceAll(v.Send, "{name}", v.Name))
	}
	return seeds
}

// ResponseSeeds returns, for every response-side vector and every
// cross-talk script, the bytes its upstream writes on one connection, its
// steps in order ("{id}" replaced by a four-byte id, as the cross-talk
// clients send): the corpus the response parsers' fuzz targets start from.
func ResponseSeeds() []string {
	var seeds []string
	add := func(steps []Step) {
		var b strings.Builder
		for _, s := range steps {
			b.WriteString(strings.ReplaceAll(s.Write, "{id}", "c001"))
		}
		if b.Len() > 0 {
			seeds = append(seeds, b.String())
		}
	}
	for _, v := range Vectors() {
		add(v.Script)
	}
	for _, name := range slices.Sorted(maps.Keys(crossTalk)) {
		add(crossTalk[name])
	}
	return seeds
}

// Bodies returns the bytes after the head of every request seed that has
// them: the corpus of the body scanners' fuzz targets (chunk sizes,
// extensions, trailers and the requests hidden after them).
func Bodies() []string {
	var bodies []string
	for _, s := range RequestSeeds() {
		if i := strings.Index(s, "\r\n\r\n"); i >= 0 && i+4 < len(s) {
			bodies = append(bodies, s[i+4:])
		}
	}
	return bodies
}

// Targets returns the request target of every request seed: the corpus of
// the path normaliser's fuzz target (encoded dots and slashes, parameters,
// NUL, backslash, absolute forms).
func Targets() []string {
	var targets []string
	for _, s := range RequestSeeds() {
		line, _, _ := strings.Cut(s, "\n")
		if _, rest, ok := strings.Cut(line, " "); ok {
			target, _, _ := strings.Cut(strings.TrimSuffix(rest, "\r"), " ")
			targets = append(targets, target)
		}
	}
	return targets
}
