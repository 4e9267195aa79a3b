//go:build !unix

package gateway

import "net"

// h1Peek: without a way to look at an idle connection, the h1 fast path
// is off and every request goes through net/http's Transport, whose
// reader notices unsolicited bytes on idle connections itself.
const h1Peek = false

type peeker struct{}

func newPeeker(net.Conn) *peeker { return nil }

func (*peeker) idleUnusable() bool { return true }
