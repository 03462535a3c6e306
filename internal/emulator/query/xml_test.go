package query

import (
	"strings"
	"testing"
)

type testItem struct {
	ID string `xml:"groupId"`
}

type testBody struct {
	EC2Response
	Groups Items[testItem] `xml:"groups"`
	Set    []testItem      `xml:"securityGroupInfo>item"`
}

func TestEC2BodyEnvelope(t *testing.T) {
	b, err := EC2Body("DescribeSecurityGroups", "req-1", &testBody{Set: []testItem{{ID: "sg-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">`,
		`<requestId>req-1</requestId>`,
		`<groups></groups>`,
		`<securityGroupInfo><item><groupId>sg-1</groupId></item></securityGroupInfo>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("reply lacks %s:\n%s", want, s)
		}
	}
}

func TestEC2BodyNilIsReturnTrue(t *testing.T) {
	b, err := EC2Body("CreateTags", "r", nil)
	if err != nil || !strings.Contains(string(b), "<return>true</return>") {
		t.Fatalf("got %s, %v", b, err)
	}
}

func TestELBv2BodyEnvelope(t *testing.T) {
	type out struct {
		Names []string `xml:"Names>member"`
	}
	b, err := ELBv2Body("DescribeThings", "r-2", &out{Names: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `<DescribeThingsResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeThingsResult><Names><member>a</member></Names></DescribeThingsResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></DescribeThingsResponse>`
	if !strings.Contains(string(b), want) {
		t.Fatalf("got %s", b)
	}
	b, _ = ELBv2Body("DeleteThing", "r-3", nil)
	if !strings.Contains(string(b), "<DeleteThingResult></DeleteThingResult>") {
		t.Fatalf("void result missing: %s", b)
	}
}

func TestErrorEnvelopes(t *testing.T) {
	e := BadRequest("InvalidGroup.NotFound", "The security group 'sg-0' does not exist")
	if s := string(EC2Error(e, "r")); !strings.Contains(s, "<Response><Errors><Error><Code>InvalidGroup.NotFound</Code>") || !strings.Contains(s, "<RequestID>r</RequestID>") {
		t.Errorf("EC2 error: %s", s)
	}
	if s := string(ELBv2Error(e, "r")); !strings.Contains(s, "<Type>Sender</Type>") || !strings.Contains(s, "<RequestId>r</RequestId>") {
		t.Errorf("ELBv2 error: %s", s)
	}
	if s := string(ELBv2Error(Errorf(500, "InternalFailure", "x"), "r")); !strings.Contains(s, "<Type>Receiver</Type>") {
		t.Errorf("5xx must be Receiver: %s", s)
	}
}
