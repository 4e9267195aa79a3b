package conformance

// Vector is one case of the suite: raw bytes a client sends on one
// connection, and what a safe front does with them. The same vectors run
// against every front, and seed the fast lane's differential fuzz targets
// (Send is a request stream; a Script step's Write a response stream).
type Vector struct {
	Name  string // unique, used in paths: letters, digits, dashes
	Class string // the family: CL.TE, TE.TE, chunked, head, path, upgrade, ...
	Ref   string // where the class comes from
	// Send is what the client writes. "{name}" is replaced by Name.
	Send string
	// Want lists the answers the client must get, in order: a status
	// ("400"), alternatives ("400|501"), a class ("4xx"), "cut" (an answer
	// cut short, or none at all, with the connection closed). A request
	// that was HEAD is marked "HEAD 200". The front may close the
	// connection after them, and must when Close is set; when it does
	// not, a probe request on the same connection must get its own
	// answer.
	Want  []string
	Close bool
	// Up, when not nil, is exactly what the echo upstream must receive,
	// in order (probes aside): "METHOD target" or "METHOD target body".
	// Every front has its own way of writing a target (the gateway
	// forwards its normalised form), so targets here are plain.
	Up []string
	// Nginx lists nginx's answers where they differ from Want in a way
	// that is just as safe (nginx accepts a bare LF, or ignores
	// Connection options, and writes its own framing); Up is then not
	// checked on nginx, the safety checks are. Nil: as Want.
	Nginx []string
	// NginxWeaker says why nginx (Debian's 1.22) fails this vector where
	// the gateway must pass: the reference row reports it and goes on.
	NginxWeaker string
	// Script is what the script upstream answers a request for
	// /script/Name with (response-side vectors).
	Script []Step
	// Tunnel, for a WebSocket upgrade, is sent after the 101 and must
	// come back echoed through the tunnel.
	Tunnel string
	// Late: before probing, wait until the script upstream has run every
	// Step (its late bytes sent, see Step.Sleep), then 150 ms for the
	// front to read them on its idle connection.
	Late bool
}

// Vectors returns the suite's vectors: the request side, then the
// response side. The slice is the caller's.
func Vectors() []Vector {
	var all []Vector
	for _, group := range [][]Vector{framingVectors, chunkVectors, headVectors, targetVectors, trustVectors, upgradeVectors, responseVectors} {
		all = append(all, group...)
	}
	return all
}
