package events

import "strings"

// deliveryOf reads the delivery count and the stream sequence from the
// reply subject JetStream gives a delivered message, without the
// allocations of jetstream.Msg.Metadata, which reads every field. Both
// forms are known: "$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.
// <time>.<pending>" (9 tokens) and the same with <domain>.<account hash>
// after "$JS.ACK." and any tokens after <pending> (11 or more). ok is false
// for anything else, and then the caller asks Metadata.
func deliveryOf(reply string) (delivered, seq uint64, ok bool) {
	const prefix = "$JS.ACK."
	if !strings.HasPrefix(reply, prefix) {
		return 0, 0, false
	}
	rest := reply[len(prefix):]
	skip := 2 // <stream>.<consumer>
	switch n := strings.Count(rest, ".") + 3; {
	case n == 9:
	case n >= 11:
		skip = 4 // <domain>.<account hash>.<stream>.<consumer>
	default:
		return 0, 0, false
	}
	for range skip {
		rest = rest[strings.IndexByte(rest, '.')+1:]
	}
	d, rest, _ := strings.Cut(rest, ".")
	s, _, _ := strings.Cut(rest, ".")
	delivered, ok1 := digits(d)
	seq, ok2 := digits(s)
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	return delivered, seq, true
}

// digits parses a non-empty decimal of at most 19 digits (so it cannot
// overflow).
func digits(s string) (n uint64, ok bool) {
	if len(s) == 0 || len(s) > 19 {
		return 0, false
	}
	for i := range len(s) {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}
