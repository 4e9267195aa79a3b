package grpc

import (
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/gantrykit/gantry/errs"
)

// ToStatus converts a service error into a gRPC status error through the
// one error table: the code is errs.KindOf(err).GRPCCode(), the message is
// the client-safe message (the kind's title for Internal errors, whose text
// stays on the server). Field violations travel as a
// google.rpc.BadRequest detail and a retry hint as google.rpc.RetryInfo.
// An error that already is a gRPC status (and carries no kind) passes
// through unchanged. ToStatus(nil) is nil.
func ToStatus(err error) error {
	if err == nil {
		return nil
	}
	var kinder errs.Kinder
	if !errors.As(err, &kinder) {
		if st, ok := status.FromError(err); ok {
			return st.Err()
		}
	}
	p := errs.ToProblem(err)
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	k := errs.KindOf(err)
	st := status.New(codes.Code(k.GRPCCode()), msg)
	if len(p.Errors) == 0 && p.RetryAfter <= 0 {
		return st.Err()
	}
	var details []*errdetails.BadRequest_FieldViolation
	for _, f := range p.Errors {
		details = append(details, &errdetails.BadRequest_FieldViolation{Field: f.Field, Description: f.Description})
	}
	var extra []protoadapt.MessageV1
	if len(details) > 0 {
		extra = append(extra, &errdetails.BadRequest{FieldViolations: details})
	}
	if p.RetryAfter > 0 {
		extra = append(extra, &errdetails.RetryInfo{RetryDelay: durationpb.New(p.RetryAfter)})
	}
	if withDetails, derr := st.WithDetails(extra...); derr == nil {
		st = withDetails
	}
	return st.Err()
}

// FromStatus turns an error returned by a gRPC call back into an
// *errs.Error of the kind the server's business code chose, with its
// message, field violations and retry hint. A nil error is nil; an error
// that is not a gRPC status is returned unchanged.
func FromStatus(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	e := &errs.Error{Kind: errs.KindFromGRPC(uint32(st.Code())), Message: st.Message()}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			for _, f := range d.GetFieldViolations() {
				e.Fields = append(e.Fields, errs.FieldViolation{Field: f.GetField(), Description: f.GetDescription()})
			}
		case *errdetails.RetryInfo:
			e.RetryAfter = d.GetRetryDelay().AsDuration()
		}
	}
	return e
}
