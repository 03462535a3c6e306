package query

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParamsLists(t *testing.T) {
	for _, tt := range []struct {
		name string
		body string
		run  func(Params) any
		want any
	}{
		{
			name: "EC2 lists are ordered by numeric index, not textually",
			body: "Filter.10.Name=c&Filter.2.Name=b&Filter.1.Name=a",
			run: func(p Params) any {
				var names []string
				for _, f := range p.Indexed("Filter") {
					names = append(names, f.Get("Name"))
				}
				return names
			},
			want: []string{"a", "b", "c"},
		},
		{
			name: "gaps in indexes are tolerated",
			body: "GroupId.1=sg-1&GroupId.5=sg-5",
			run:  func(p Params) any { return p.Strings("GroupId") },
			want: []string{"sg-1", "sg-5"},
		},
		{
			name: "awsquery member lists are read in order",
			body: "Names.member.2=b&Names.member.1=a",
			run:  func(p Params) any { return p.MemberStrings("Names") },
			want: []string{"a", "b"},
		},
		{
			name: "nested member structures keep their fields",
			body: "Tags.member.1.Key=k&Tags.member.1.Value=v",
			run: func(p Params) any {
				m := p.Members("Tags")
				return []string{m[0].Get("Key"), m[0].Get("Value")}
			},
			want: []string{"k", "v"},
		},
		{
			name: "a bare key is an explicit empty list",
			body: "SecurityGroups=",
			run: func(p Params) any {
				_, present := p.Lookup("SecurityGroups")
				return []any{present, len(p.MemberStrings("SecurityGroups"))}
			},
			want: []any{true, 0},
		},
		{
			name: "maps use entry.N.key and value",
			body: "Attrs.entry.1.key=a&Attrs.entry.1.value=1",
			run:  func(p Params) any { return p.Entries("Attrs") },
			want: map[string]string{"a": "1"},
		},
		{
			name: "non-numeric and zero indexes are ignored",
			body: "GroupId.x=a&GroupId.0=b&GroupId.1=c",
			run:  func(p Params) any { return p.Strings("GroupId") },
			want: []string{"c"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.run(p); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestParseMalformedBodyIsA400(t *testing.T) {
	_, err := Parse("a=%zz")
	qe, ok := err.(*Error)
	if !ok || qe.Status != 400 {
		t.Fatalf("want a 400 *Error, got %v", err)
	}
}

func TestIntRejectsOutOfRange(t *testing.T) {
	p := FromValues(url.Values{"MaxResults": {"1001"}})
	if _, _, err := p.Int("MaxResults", 5, 1000); err == nil || !strings.Contains(err.Error(), "InvalidParameterValue") {
		t.Fatalf("want InvalidParameterValue, got %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1")
	f.Add("IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8&IpPermissions=")
	f.Add("Tags.member.1.Key=a&Attrs.entry.1.key=b&x.member.99999999999.y=1")
	f.Fuzz(func(t *testing.T, body string) {
		p, err := Parse(body)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse returned a non-*Error: %v", err)
			}
			return
		}
		for _, k := range p.Keys() {
			head, _, _ := strings.Cut(k, ".")
			_ = p.Indexed(head)
			_ = p.Strings(head)
			_ = p.Members(head)
			_ = p.Entries(head)
			_, _, _ = p.Int(head, 0, 10)
			_, _, _ = p.Bool(head)
		}
	})
}
