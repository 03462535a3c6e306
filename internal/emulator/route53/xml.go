package route53

import (
	"bytes"
	"encoding/xml"
	"time"
)

type changeRequest struct {
	XMLName     xml.Name `xml:"ChangeResourceRecordSetsRequest"`
	ChangeBatch struct {
		Comment string `xml:"Comment"`
		Changes []struct {
			Action string `xml:"Action"`
			Set    struct {
				Name    string     `xml:"Name"`
				Type    string     `xml:"Type"`
				TTL     *int64     `xml:"TTL"`
				Records []valueXML `xml:"ResourceRecords>ResourceRecord"`
			} `xml:"ResourceRecordSet"`
		} `xml:"Changes>Change"`
	} `xml:"ChangeBatch"`
}

type valueXML struct {
	Value string `xml:"Value"`
}

type hostedZoneXML struct {
	ID              string `xml:"Id"`
	Name            string `xml:"Name"`
	CallerReference string `xml:"CallerReference"`
	Config          struct {
		Comment     string `xml:"Comment,omitempty"`
		PrivateZone bool   `xml:"PrivateZone"`
	} `xml:"Config"`
	ResourceRecordSetCount int `xml:"ResourceRecordSetCount"`
}

func (z *Zone) xml() hostedZoneXML {
	x := hostedZoneXML{ID: "/hostedzone/" + z.ID, Name: z.Name, CallerReference: z.CallerReference, ResourceRecordSetCount: len(z.Records)}
	x.Config.Comment, x.Config.PrivateZone = z.Comment, z.Private
	return x
}

type listHostedZonesResponse struct {
	XMLName     xml.Name        `xml:"ListHostedZonesResponse"`
	HostedZones []hostedZoneXML `xml:"HostedZones>HostedZone"`
	Marker      string          `xml:"Marker"`
	IsTruncated bool            `xml:"IsTruncated"`
	NextMarker  string          `xml:"NextMarker,omitempty"`
	MaxItems    string          `xml:"MaxItems"`
}

type listHostedZonesByNameResponse struct {
	XMLName          xml.Name        `xml:"ListHostedZonesByNameResponse"`
	HostedZones      []hostedZoneXML `xml:"HostedZones>HostedZone"`
	DNSName          string          `xml:"DNSName,omitempty"`
	HostedZoneID     string          `xml:"HostedZoneId,omitempty"`
	IsTruncated      bool            `xml:"IsTruncated"`
	NextDNSName      string          `xml:"NextDNSName,omitempty"`
	NextHostedZoneID string          `xml:"NextHostedZoneId,omitempty"`
	MaxItems         string          `xml:"MaxItems"`
}

type delegationSet struct {
	NameServers []string `xml:"NameServers>NameServer"`
}

type getHostedZoneResponse struct {
	XMLName       xml.Name       `xml:"GetHostedZoneResponse"`
	HostedZone    hostedZoneXML  `xml:"HostedZone"`
	DelegationSet *delegationSet `xml:"DelegationSet"`
}

type changeInfoXML struct {
	ID          string `xml:"Id"`
	Status      string `xml:"Status"`
	SubmittedAt string `xml:"SubmittedAt"`
	Comment     string `xml:"Comment,omitempty"`
}

func (c *Change) xml() changeInfoXML {
	return changeInfoXML{ID: "/change/" + c.ID, Status: "INSYNC", SubmittedAt: c.SubmittedAt.UTC().Format(time.RFC3339), Comment: c.Comment}
}

type changeResponse struct {
	XMLName    xml.Name      `xml:"ChangeResourceRecordSetsResponse"`
	ChangeInfo changeInfoXML `xml:"ChangeInfo"`
}

type getChangeResponse struct {
	XMLName    xml.Name      `xml:"GetChangeResponse"`
	ChangeInfo changeInfoXML `xml:"ChangeInfo"`
}

type recordXML struct {
	Name    string     `xml:"Name"`
	Type    string     `xml:"Type"`
	TTL     int64      `xml:"TTL"`
	Records []valueXML `xml:"ResourceRecords>ResourceRecord"`
}

type listRecordsResponse struct {
	XMLName        xml.Name    `xml:"ListResourceRecordSetsResponse"`
	Sets           []recordXML `xml:"ResourceRecordSets>ResourceRecordSet"`
	IsTruncated    bool        `xml:"IsTruncated"`
	NextRecordName string      `xml:"NextRecordName,omitempty"`
	NextRecordType string      `xml:"NextRecordType,omitempty"`
	MaxItems       string      `xml:"MaxItems"`
}

// ErrorDocument is Route 53's error reply.
type ErrorDocument struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// NewErrorDocument builds the error reply of e.
func NewErrorDocument(e *Error, reqID string) ErrorDocument {
	d := ErrorDocument{Xmlns: Namespace, RequestID: reqID}
	d.Error.Type = "Sender"
	if e.Status >= 500 {
		d.Error.Type = "Receiver"
	}
	d.Error.Code, d.Error.Message = e.Code, e.Msg
	return d
}

// Marshal renders a reply document in Route 53's namespace.
func Marshal(v any) ([]byte, error) {
	b, err := xml.Marshal(v)
	if err != nil {
		return nil, err
	}
	if _, isErr := v.(ErrorDocument); isErr {
		return append([]byte(xml.Header), b...), nil
	}
	i := bytes.IndexByte(b, '>')
	out := append([]byte(xml.Header), b[:i]...)
	out = append(out, ` xmlns="`+Namespace+`"`...)
	return append(out, b[i:]...), nil
}
