package query

import (
	"fmt"
	"net/http"
)

// Error is an AWS error reply: a code, a message and the HTTP status.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an *Error.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// BadRequest builds a 400 *Error.
func BadRequest(code, format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, code, format, args...)
}

// MissingParameter is EC2's and ELBv2's reply to a required parameter left out.
func MissingParameter(name string) *Error {
	return BadRequest("MissingParameter", "The request must contain the parameter %s", name)
}

// InvalidParameterValue is the generic reply to a malformed value.
func InvalidParameterValue(name, value string) *Error {
	return BadRequest("InvalidParameterValue", "Value (%s) for parameter %s is invalid.", value, name)
}

// ValidationError is ELBv2's reply to an input constraint failure.
func ValidationError(format string, args ...any) *Error {
	return BadRequest("ValidationError", format, args...)
}

// InvalidAction is the reply to an unknown Action.
func InvalidAction(action string) *Error {
	return BadRequest("InvalidAction", "The action %s is not valid for this web service.", action)
}
