package query

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Namespaces of the two Query APIs.
const (
	EC2Namespace   = "http://ec2.amazonaws.com/doc/2016-11-15/"
	ELBv2Namespace = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"
)

// Items is an EC2 XML list: <name><item>…</item></name>. As a non-pointer
// struct field it is always written, so an empty list appears as <name></name>
// the way EC2 writes <groups/> inside an IpPermission.
type Items[T any] struct {
	Item []T `xml:"item"`
}

// ItemsOf wraps a slice.
func ItemsOf[T any](s []T) Items[T] { return Items[T]{Item: s} }

// Bool is a boolean written as true/false.
type Bool bool

// MarshalText writes true or false.
func (b Bool) MarshalText() ([]byte, error) { return []byte(strconv.FormatBool(bool(b))), nil }

type named struct {
	name string
	v    any
}

func (n named) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Local: n.name}}
	if n.v == nil {
		if err := e.EncodeToken(start); err != nil {
			return err
		}
		return e.EncodeToken(start.End())
	}
	return e.EncodeElement(n.v, start)
}

// EC2Response is embedded first in every EC2 reply body; the server fills it
// in.
type EC2Response struct {
	Xmlns     string `xml:"xmlns,attr"`
	RequestID string `xml:"requestId"`
}

func (r *EC2Response) setEC2Envelope(action, requestID string) {
	r.Xmlns = EC2Namespace
	r.RequestID = requestID
}

type ec2Enveloped interface {
	setEC2Envelope(action, requestID string)
}

// EC2Return is the body of EC2 mutations that answer only <return>true</return>.
type EC2Return struct {
	EC2Response
	Return Bool `xml:"return"`
}

// EC2Body renders a successful EC2 reply. body must be a pointer to a struct
// embedding EC2Response, with fields named as the model's camelCase
// locationNames; nil renders <return>true</return>.
func EC2Body(action, requestID string, body any) ([]byte, error) {
	var buf bytes.Buffer
	if err := WriteEC2Body(&buf, action, requestID, body); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteEC2Body streams what EC2Body returns to w.
func WriteEC2Body(w io.Writer, action, requestID string, body any) error {
	if body == nil {
		body = &EC2Return{Return: true}
	}
	env, ok := body.(ec2Enveloped)
	if !ok {
		return fmt.Errorf("EC2 body %T does not embed query.EC2Response", body)
	}
	env.setEC2Envelope(action, requestID)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	if err := enc.EncodeElement(body, xml.StartElement{Name: xml.Name{Local: action + "Response"}}); err != nil {
		return err
	}
	return enc.Flush()
}

type elbEnvelope struct {
	XMLName xml.Name
	Xmlns   string `xml:"xmlns,attr"`
	Result  named
	Meta    struct {
		RequestID string `xml:"RequestId"`
	} `xml:"ResponseMetadata"`
}

// ELBv2Body renders a successful ELBv2 reply: <ActionResponse xmlns> holding
// <ActionResult> with body's fields and <ResponseMetadata><RequestId>.
func ELBv2Body(action, requestID string, body any) ([]byte, error) {
	var buf bytes.Buffer
	if err := WriteELBv2Body(&buf, action, requestID, body); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteELBv2Body streams what ELBv2Body returns to w.
func WriteELBv2Body(w io.Writer, action, requestID string, body any) error {
	return WriteQueryBody(w, ELBv2Namespace, action, requestID, body)
}

// WriteQueryBody streams an awsquery reply in namespace (ELBv2's shape,
// shared by STS).
func WriteQueryBody(w io.Writer, namespace, action, requestID string, body any) error {
	env := elbEnvelope{
		XMLName: xml.Name{Local: action + "Response"},
		Xmlns:   namespace,
		Result:  named{name: action + "Result", v: body},
	}
	env.Meta.RequestID = requestID
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	if err := enc.Encode(env); err != nil {
		return err
	}
	return enc.Flush()
}

type ec2Error struct {
	XMLName xml.Name `xml:"Response"`
	Errors  struct {
		Error struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Error"`
	} `xml:"Errors"`
	RequestID string `xml:"RequestID"`
}

// EC2Error renders EC2's error envelope.
func EC2Error(e *Error, requestID string) []byte {
	var env ec2Error
	env.Errors.Error.Code = e.Code
	env.Errors.Error.Message = e.Message
	env.RequestID = requestID
	b, _ := marshal(env) // cannot fail: strings only
	return b
}

type elbError struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// ELBv2Error renders ELBv2's error envelope; Type is Sender for 4xx and
// Receiver for 5xx.
func ELBv2Error(e *Error, requestID string) []byte { return QueryError(ELBv2Namespace, e, requestID) }

// QueryError renders an awsquery error envelope in namespace.
func QueryError(namespace string, e *Error, requestID string) []byte {
	var env elbError
	env.Xmlns = namespace
	env.Error.Type = "Sender"
	if e.Status >= 500 {
		env.Error.Type = "Receiver"
	}
	env.Error.Code = e.Code
	env.Error.Message = e.Message
	env.RequestID = requestID
	b, _ := marshal(env) // cannot fail: strings only
	return b
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteStreamHeaders sends the headers of a successful reply whose body
// follows as a stream (no Content-Length).
func WriteStreamHeaders(w http.ResponseWriter, requestID string) {
	h := w.Header()
	h.Set("Content-Type", "text/xml;charset=UTF-8")
	h.Set("x-amzn-RequestId", requestID)
	w.WriteHeader(http.StatusOK)
}

// WriteXML sends an XML reply with AWS's headers.
func WriteXML(w http.ResponseWriter, status int, requestID string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/xml;charset=UTF-8")
	h.Set("x-amzn-RequestId", requestID)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
