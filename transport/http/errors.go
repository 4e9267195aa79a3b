package http

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gantrykit/gantry/errs"
)

// statusError gives a request error an HTTP status that the error table
// has no kind for (413, 415). Its kind stays InvalidArgument, so clients and
// middleware treat it as the caller's fault.
type statusError struct {
	status int
	err    *errs.Error
}

func (e *statusError) Error() string   { return e.err.Error() }
func (e *statusError) Unwrap() error   { return e.err }
func (e *statusError) StatusCode() int { return e.status }

func tooLarge(limit int64) error {
	return &statusError{http.StatusRequestEntityTooLarge,
		errs.InvalidArgument("request body larger than %d bytes", limit)}
}

func unsupportedMedia(ct string) error {
	if ct == "" {
		ct = "none"
	}
	return &statusError{http.StatusUnsupportedMediaType,
		errs.InvalidArgument("Content-Type must be application/json, got %q", ct)}
}

// paramError names a path, query or header parameter that did not parse.
func paramError(name string, err error) error {
	desc := err.Error()
	return &errs.Error{
		Kind:    errs.KindInvalidArgument,
		Message: "parameter " + strconv.Quote(name) + ": " + desc,
		Fields:  []errs.FieldViolation{{Field: name, Description: desc}},
	}
}

// bodyError explains a JSON decoding failure to the client: where, which
// field, what was wanted.
func bodyError(err error, limit int64) error {
	var (
		e   *errs.Error
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return tooLarge(mbe.Limit)
	case errors.As(err, &e):
		return err
	case errors.As(err, &se) && strings.HasSuffix(se.Error(), "after top-level value"):
		return errs.InvalidArgument("malformed JSON: unexpected data after the value at offset %d", se.Offset-1)
	case errors.As(err, &se) && se.Error() == "unexpected end of JSON input":
		return errs.InvalidArgument("malformed JSON: unexpected end of input")
	case errors.As(err, &se):
		return errs.InvalidArgument("malformed JSON at offset %d: %s", se.Offset, se.Error())
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		desc := "want " + paramTypeName(te.Type) + ", got " + te.Value
		return &errs.Error{
			Kind:    errs.KindInvalidArgument,
			Message: "field " + strconv.Quote(field) + ": " + desc + " (offset " + strconv.FormatInt(te.Offset, 10) + ")",
			Fields:  []errs.FieldViolation{{Field: field, Description: desc}},
		}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.InvalidArgument("malformed JSON: unexpected end of input")
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		if n, uerr := strconv.Unquote(name); uerr == nil {
			name = n
		}
		return &errs.Error{
			Kind:    errs.KindInvalidArgument,
			Message: "field " + strconv.Quote(name) + ": unknown field",
			Fields:  []errs.FieldViolation{{Field: name, Description: "unknown field"}},
		}
	}
	return errs.InvalidArgument("malformed JSON: %s", msg)
}

// EncodeError is a go-kit transport/http ErrorEncoder that writes err as
// problem+json through the error table, like every Gantry server does. Use
// it with go-kit's own NewServer (kithttp.ServerErrorEncoder(httpt.EncodeError))
// to give hand-written handlers the same error answers.
func EncodeError(_ context.Context, err error, w http.ResponseWriter) {
	WriteProblem(w, nil, err, 0)
}
