package ec2

import (
	"bytes"
	"encoding/xml"
	"strconv"
)

// DescribeSecurityGroups is the emulator's hot path (LBC and lbsg list
// thousands of groups), and encoding/xml's reflection dominates its cost.
// The reply therefore renders its items with a hand-written writer that
// produces byte-for-byte what encoding/xml would (TestFastXMLMatchesEncodingXML).

// sgReplyWire is the envelope around the pre-rendered items.
type sgReplyWire struct {
	RequestID string `xml:"requestId"`
	Items     []byte `xml:",innerxml"`
	NextToken string `xml:"nextToken,omitempty"`
}

// MarshalXML renders the reply with its items written by writeGroup.
func (r *describeSecurityGroupsReply) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	size := 64
	for i := range r.Groups.Item {
		g := &r.Groups.Item[i]
		size += 640 + 64*len(g.Tags)
		for _, ps := range [2][]ipPermission{g.IPPermissions.Item, g.IPPermissionsEgress.Item} {
			for j := range ps {
				p := &ps[j]
				size += 160 + 128*(len(p.Groups.Item)+len(p.IPRanges.Item)+len(p.IPv6Ranges.Item)+len(p.PrefixListIDs.Item))
			}
		}
	}
	var w xmlWriter
	w.Grow(size)
	w.WriteString("<securityGroupInfo>")
	for i := range r.Groups.Item {
		w.group(&r.Groups.Item[i])
	}
	w.WriteString("</securityGroupInfo>")
	start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "xmlns"}, Value: r.Xmlns})
	return e.EncodeElement(sgReplyWire{RequestID: r.RequestID, Items: w.Bytes(), NextToken: r.NextToken}, start)
}

type xmlWriter struct{ bytes.Buffer }

// text writes s escaped as encoding/xml escapes character data.
func (w *xmlWriter) text(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x80 || c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' {
			_ = xml.EscapeText(w, []byte(s))
			return
		}
	}
	w.WriteString(s)
}

// elem writes <name>text</name>.
func (w *xmlWriter) elem(name, s string) {
	w.WriteByte('<')
	w.WriteString(name)
	w.WriteByte('>')
	w.text(s)
	w.WriteString("</")
	w.WriteString(name)
	w.WriteByte('>')
}

// optElem writes <name>text</name> unless s is empty (omitempty).
func (w *xmlWriter) optElem(name, s string) {
	if s != "" {
		w.elem(name, s)
	}
}

func (w *xmlWriter) intElem(name string, v int32) {
	w.WriteByte('<')
	w.WriteString(name)
	w.WriteByte('>')
	var buf [12]byte
	w.Write(strconv.AppendInt(buf[:0], int64(v), 10))
	w.WriteString("</")
	w.WriteString(name)
	w.WriteByte('>')
}

func (w *xmlWriter) group(g *securityGroupItem) {
	w.WriteString("<item>")
	w.elem("ownerId", g.OwnerID)
	w.elem("groupId", g.GroupID)
	w.elem("groupName", g.GroupName)
	w.elem("groupDescription", g.GroupDescription)
	w.elem("vpcId", g.VpcID)
	w.elem("securityGroupArn", g.SecurityGroupArn)
	w.permissions("ipPermissions", g.IPPermissions.Item)
	w.permissions("ipPermissionsEgress", g.IPPermissionsEgress.Item)
	// encoding/xml writes the parents of an a>b path even for an empty slice.
	w.WriteString("<tagSet>")
	for _, t := range g.Tags {
		w.WriteString("<item>")
		w.elem("key", t.Key)
		w.elem("value", t.Value)
		w.WriteString("</item>")
	}
	w.WriteString("</tagSet>")
	w.WriteString("</item>")
}

func (w *xmlWriter) permissions(name string, ps []ipPermission) {
	w.WriteByte('<')
	w.WriteString(name)
	w.WriteByte('>')
	for i := range ps {
		p := &ps[i]
		w.WriteString("<item>")
		w.elem("ipProtocol", p.IPProtocol)
		if p.FromPort != nil {
			w.intElem("fromPort", *p.FromPort)
		}
		if p.ToPort != nil {
			w.intElem("toPort", *p.ToPort)
		}
		w.WriteString("<groups>")
		for _, s := range p.Groups.Item {
			w.WriteString("<item>")
			w.elem("userId", s.UserID)
			w.elem("groupId", s.GroupID)
			w.optElem("description", s.Description)
			w.WriteString("</item>")
		}
		w.WriteString("</groups><ipRanges>")
		for _, s := range p.IPRanges.Item {
			w.WriteString("<item>")
			w.elem("cidrIp", s.CidrIP)
			w.optElem("description", s.Description)
			w.WriteString("</item>")
		}
		w.WriteString("</ipRanges><ipv6Ranges>")
		for _, s := range p.IPv6Ranges.Item {
			w.WriteString("<item>")
			w.elem("cidrIpv6", s.CidrIPv6)
			w.optElem("description", s.Description)
			w.WriteString("</item>")
		}
		w.WriteString("</ipv6Ranges><prefixListIds>")
		for _, s := range p.PrefixListIDs.Item {
			w.WriteString("<item>")
			w.elem("prefixListId", s.PrefixListID)
			w.optElem("description", s.Description)
			w.WriteString("</item>")
		}
		w.WriteString("</prefixListIds></item>")
	}
	w.WriteString("</")
	w.WriteString(name)
	w.WriteByte('>')
}
