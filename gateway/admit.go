package gateway

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/gateway/internal/edge"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// admit applies the edge admission to r before it is routed: the verdict
// on its head from its connection's edge.Stream (NewListener), or, for a
// request that did not come through one (TLS, HTTP/2, a listener of the
// caller's), the checks its header allows. It replaces r.URL.Path with
// the normalised path routes match on (edge.NormalizePath) and reports
// whether r asks for a WebSocket upgrade.
func admit(r *http.Request) (websocket bool, err error) {
	if s := streamOf(r); s != nil {
		v := s.Next(r.Method, r.RequestURI)
		if v.Err != nil {
			return false, v.Err
		}
		websocket = v.WebSocket
	} else {
		if err := admitHeader(r.Header); err != nil {
			return false, err
		}
		websocket = r.ProtoMajor == 1 && r.ProtoMinor == 1 && r.Method == http.MethodGet &&
			len(r.Header["Upgrade"]) == 1 && strings.EqualFold(r.Header["Upgrade"][0], "websocket") &&
			headerHasToken(r.Header["Connection"], "upgrade")
	}
	p, err := edge.NormalizePath(rawPath(r.RequestURI))
	if err != nil {
		return false, err
	}
	r.URL.Path, r.URL.RawPath = p, ""
	return websocket, nil
}

// rawPath is the path of a request target as sent: origin-form or
// absolute-form, without the query.
func rawPath(target string) string {
	if target != "" && target[0] != '/' {
		if _, rest, ok := edge.SplitAbsolute([]byte(target)); ok {
			target = string(rest)
			if target == "" || target[0] == '?' {
				target = "/" + target
			}
		}
	}
	if i := strings.IndexByte(target, '?'); i >= 0 {
		target = target[:i]
	}
	return target
}

// admitHeader is what admission can check of a request that net/http
// parsed alone: Connection options, and single guarded fields.
func admitHeader(h http.Header) error {
	for _, v := range h["Connection"] {
		err := edge.Options([]byte(v), func(opt []byte) error {
			if !edge.Classify(opt).Nominable() {
				return edge.ErrConnectionNames
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if len(h["Authorization"]) > 1 || len(h["Idempotency-Key"]) > 1 || len(h["Accept-Version"]) > 1 {
		return edge.ErrDuplicate
	}
	return nil
}

// headerHasToken reports whether the comma-separated values hold tok, in any
// case.
func headerHasToken(values []string, tok string) bool {
	for _, v := range values {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), tok) {
				return true
			}
		}
	}
	return false
}

// refuse answers a request admission refused: problem+json with the
// refusal's status, and the connection closed after it, since the bytes
// after a refused head cannot be trusted to start a request (a refused
// path leaves it open: its framing was sound).
func (g *Gateway) refuse(w http.ResponseWriter, r *http.Request, err error) {
	status := edge.StatusOf(err)
	if !pathRefusal(err) {
		w.Header().Set("Connection", "close")
	}
	id := unroutedID(w, r)
	httpt.WriteProblem(w, r, errs.InvalidArgument("%s", strings.TrimPrefix(err.Error(), "edge: ")), status)
	g.metrics.requests.WithLabelValues("", strconv.Itoa(status)).Inc()
	g.logUnrouted(r, id, status, slog.String("refused", err.Error()))
}

// pathRefusal reports whether err refused the request's path: its framing
// was sound, so its connection may carry the next request.
func pathRefusal(err error) bool {
	switch err {
	case edge.ErrPathForm, edge.ErrPathEncoding, edge.ErrPathSlash, edge.ErrPathDot, edge.ErrPathEmpty,
		edge.ErrPathParam, edge.ErrPathControl, edge.ErrPathSpace, edge.ErrPathPercent, edge.ErrPathCharacter:
		return true
	}
	return false
}

// dropUpgrade removes an upgrade the route does not allow: the request
// goes on as a plain HTTP/1.1 one (RFC 9110 §7.8 lets a server ignore
// Upgrade), and the upstream never sees the offer, so no tunnel opens.
func dropUpgrade(h http.Header) {
	delete(h, "Upgrade")
	delete(h, "Http2-Settings")
}
