package ec2

import "github.com/lbsg/lbsg/internal/emulator/query"

// Reply bodies. Element names are the EC2 model's locationNames, as read by
// aws-sdk-go-v2's deserializers.

type tagItem struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type stateItem struct {
	State string `xml:"state"`
}

type vpcCIDRAssoc struct {
	AssociationID string    `xml:"associationId"`
	CIDRBlock     string    `xml:"cidrBlock"`
	State         stateItem `xml:"cidrBlockState"`
}

type vpcIPv6Assoc struct {
	AssociationID      string    `xml:"associationId"`
	IPv6CIDRBlock      string    `xml:"ipv6CidrBlock"`
	State              stateItem `xml:"ipv6CidrBlockState"`
	NetworkBorderGroup string    `xml:"networkBorderGroup"`
	IPv6Pool           string    `xml:"ipv6Pool"`
}

type vpcItem struct {
	VpcID           string         `xml:"vpcId"`
	OwnerID         string         `xml:"ownerId"`
	State           string         `xml:"state"`
	CIDRBlock       string         `xml:"cidrBlock"`
	CIDRAssocs      []vpcCIDRAssoc `xml:"cidrBlockAssociationSet>item"`
	IPv6Assocs      []vpcIPv6Assoc `xml:"ipv6CidrBlockAssociationSet>item"`
	DhcpOptionsID   string         `xml:"dhcpOptionsId"`
	InstanceTenancy string         `xml:"instanceTenancy"`
	IsDefault       query.Bool     `xml:"isDefault"`
	Tags            []tagItem      `xml:"tagSet>item"`
}

type describeVpcsReply struct {
	query.EC2Response
	Vpcs      query.Items[vpcItem] `xml:"vpcSet"`
	NextToken string               `xml:"nextToken,omitempty"`
}

type subnetItem struct {
	SubnetID                string            `xml:"subnetId"`
	SubnetArn               string            `xml:"subnetArn"`
	OwnerID                 string            `xml:"ownerId"`
	VpcID                   string            `xml:"vpcId"`
	State                   string            `xml:"state"`
	CIDRBlock               string            `xml:"cidrBlock"`
	AvailabilityZone        string            `xml:"availabilityZone"`
	AvailabilityZoneID      string            `xml:"availabilityZoneId"`
	AvailableIPAddressCount int               `xml:"availableIpAddressCount"`
	DefaultForAz            query.Bool        `xml:"defaultForAz"`
	MapPublicIPOnLaunch     query.Bool        `xml:"mapPublicIpOnLaunch"`
	AssignIPv6OnCreation    query.Bool        `xml:"assignIpv6AddressOnCreation"`
	OutpostArn              string            `xml:"outpostArn,omitempty"`
	IPv6Assocs              []subnetIPv6Assoc `xml:"ipv6CidrBlockAssociationSet>item"`
	Tags                    []tagItem         `xml:"tagSet>item"`
}

type subnetIPv6Assoc struct {
	AssociationID string    `xml:"associationId"`
	IPv6CIDRBlock string    `xml:"ipv6CidrBlock"`
	State         stateItem `xml:"ipv6CidrBlockState"`
}

type describeSubnetsReply struct {
	query.EC2Response
	Subnets   query.Items[subnetItem] `xml:"subnetSet"`
	NextToken string                  `xml:"nextToken,omitempty"`
}

type azItem struct {
	ZoneName           string                 `xml:"zoneName"`
	ZoneID             string                 `xml:"zoneId"`
	RegionName         string                 `xml:"regionName"`
	ZoneState          string                 `xml:"zoneState"`
	ZoneType           string                 `xml:"zoneType"`
	OptInStatus        string                 `xml:"optInStatus"`
	GroupName          string                 `xml:"groupName"`
	NetworkBorderGroup string                 `xml:"networkBorderGroup"`
	Messages           query.Items[azMessage] `xml:"messageSet"`
}

type azMessage struct {
	Message string `xml:"message"`
}

type describeAZsReply struct {
	query.EC2Response
	Zones query.Items[azItem] `xml:"availabilityZoneInfo"`
}

type userIDGroupPair struct {
	UserID      string `xml:"userId"`
	GroupID     string `xml:"groupId"`
	Description string `xml:"description,omitempty"`
}

type ipRange struct {
	CidrIP      string `xml:"cidrIp"`
	Description string `xml:"description,omitempty"`
}

type ipv6Range struct {
	CidrIPv6    string `xml:"cidrIpv6"`
	Description string `xml:"description,omitempty"`
}

type prefixListID struct {
	PrefixListID string `xml:"prefixListId"`
	Description  string `xml:"description,omitempty"`
}

type ipPermission struct {
	IPProtocol    string                       `xml:"ipProtocol"`
	FromPort      *int32                       `xml:"fromPort,omitempty"`
	ToPort        *int32                       `xml:"toPort,omitempty"`
	Groups        query.Items[userIDGroupPair] `xml:"groups"`
	IPRanges      query.Items[ipRange]         `xml:"ipRanges"`
	IPv6Ranges    query.Items[ipv6Range]       `xml:"ipv6Ranges"`
	PrefixListIDs query.Items[prefixListID]    `xml:"prefixListIds"`
}

type securityGroupItem struct {
	OwnerID             string                    `xml:"ownerId"`
	GroupID             string                    `xml:"groupId"`
	GroupName           string                    `xml:"groupName"`
	GroupDescription    string                    `xml:"groupDescription"`
	VpcID               string                    `xml:"vpcId"`
	SecurityGroupArn    string                    `xml:"securityGroupArn"`
	IPPermissions       query.Items[ipPermission] `xml:"ipPermissions"`
	IPPermissionsEgress query.Items[ipPermission] `xml:"ipPermissionsEgress"`
	Tags                []tagItem                 `xml:"tagSet>item"`
}

type describeSecurityGroupsReply struct {
	query.EC2Response
	Groups    query.Items[securityGroupItem] `xml:"securityGroupInfo"`
	NextToken string                         `xml:"nextToken,omitempty"`
}

type referencedGroup struct {
	GroupID string `xml:"groupId"`
	UserID  string `xml:"userId"`
}

type securityGroupRuleItem struct {
	SecurityGroupRuleID  string           `xml:"securityGroupRuleId"`
	GroupID              string           `xml:"groupId"`
	GroupOwnerID         string           `xml:"groupOwnerId"`
	IsEgress             query.Bool       `xml:"isEgress"`
	IPProtocol           string           `xml:"ipProtocol"`
	FromPort             int32            `xml:"fromPort"`
	ToPort               int32            `xml:"toPort"`
	CidrIPv4             string           `xml:"cidrIpv4,omitempty"`
	CidrIPv6             string           `xml:"cidrIpv6,omitempty"`
	PrefixListID         string           `xml:"prefixListId,omitempty"`
	ReferencedGroupInfo  *referencedGroup `xml:"referencedGroupInfo,omitempty"`
	Description          string           `xml:"description,omitempty"`
	Tags                 []tagItem        `xml:"tagSet>item"`
	SecurityGroupRuleArn string           `xml:"securityGroupRuleArn"`
}

type describeSecurityGroupRulesReply struct {
	query.EC2Response
	Rules     query.Items[securityGroupRuleItem] `xml:"securityGroupRuleSet"`
	NextToken string                             `xml:"nextToken,omitempty"`
}

type createSecurityGroupReply struct {
	query.EC2Response
	Return           query.Bool `xml:"return"`
	GroupID          string     `xml:"groupId"`
	Tags             []tagItem  `xml:"tagSet>item"`
	SecurityGroupArn string     `xml:"securityGroupArn"`
}

type deleteSecurityGroupReply struct {
	query.EC2Response
	Return  query.Bool `xml:"return"`
	GroupID string     `xml:"groupId"`
}

type authorizeReply struct {
	query.EC2Response
	Return query.Bool              `xml:"return"`
	Rules  []securityGroupRuleItem `xml:"securityGroupRuleSet>item"`
}

type revokedRuleItem struct {
	SecurityGroupRuleID string     `xml:"securityGroupRuleId"`
	GroupID             string     `xml:"groupId"`
	IsEgress            query.Bool `xml:"isEgress"`
	IPProtocol          string     `xml:"ipProtocol"`
	FromPort            int32      `xml:"fromPort"`
	ToPort              int32      `xml:"toPort"`
	CidrIPv4            string     `xml:"cidrIpv4,omitempty"`
	CidrIPv6            string     `xml:"cidrIpv6,omitempty"`
	PrefixListID        string     `xml:"prefixListId,omitempty"`
	ReferencedGroupID   string     `xml:"referencedGroupId,omitempty"`
	Description         string     `xml:"description,omitempty"`
}

type revokeReply struct {
	query.EC2Response
	Return  query.Bool        `xml:"return"`
	Unknown []ipPermission    `xml:"unknownIpPermissionSet>item"`
	Revoked []revokedRuleItem `xml:"revokedSecurityGroupRuleSet>item"`
}

type tagDescription struct {
	ResourceID   string `xml:"resourceId"`
	ResourceType string `xml:"resourceType"`
	Key          string `xml:"key"`
	Value        string `xml:"value"`
}

type describeTagsReply struct {
	query.EC2Response
	Tags      query.Items[tagDescription] `xml:"tagSet"`
	NextToken string                      `xml:"nextToken,omitempty"`
}

type groupIdentifier struct {
	GroupID   string `xml:"groupId"`
	GroupName string `xml:"groupName"`
}

type privateIPItem struct {
	PrivateIPAddress string     `xml:"privateIpAddress"`
	PrivateDNSName   string     `xml:"privateDnsName"`
	Primary          query.Bool `xml:"primary"`
}

type ipv4PrefixItem struct {
	IPv4Prefix string `xml:"ipv4Prefix"`
}

type eniAttachment struct {
	AttachmentID        string     `xml:"attachmentId"`
	InstanceID          string     `xml:"instanceId,omitempty"`
	InstanceOwnerID     string     `xml:"instanceOwnerId,omitempty"`
	DeviceIndex         int        `xml:"deviceIndex"`
	Status              string     `xml:"status"`
	AttachTime          string     `xml:"attachTime"`
	DeleteOnTermination query.Bool `xml:"deleteOnTermination"`
}

type networkInterfaceItem struct {
	NetworkInterfaceID string            `xml:"networkInterfaceId"`
	SubnetID           string            `xml:"subnetId"`
	VpcID              string            `xml:"vpcId"`
	AvailabilityZone   string            `xml:"availabilityZone,omitempty"`
	Description        string            `xml:"description"`
	OwnerID            string            `xml:"ownerId"`
	RequesterID        string            `xml:"requesterId,omitempty"`
	RequesterManaged   *query.Bool       `xml:"requesterManaged,omitempty"`
	Status             string            `xml:"status"`
	MacAddress         string            `xml:"macAddress"`
	PrivateIPAddress   string            `xml:"privateIpAddress"`
	PrivateDNSName     string            `xml:"privateDnsName"`
	SourceDestCheck    query.Bool        `xml:"sourceDestCheck"`
	InterfaceType      string            `xml:"interfaceType"`
	Groups             []groupIdentifier `xml:"groupSet>item"`
	Attachment         *eniAttachment    `xml:"attachment,omitempty"`
	PrivateIPs         []privateIPItem   `xml:"privateIpAddressesSet>item"`
	IPv4Prefixes       []ipv4PrefixItem  `xml:"ipv4PrefixSet>item"`
	Tags               []tagItem         `xml:"tagSet>item"`
}

type describeNetworkInterfacesReply struct {
	query.EC2Response
	Interfaces query.Items[networkInterfaceItem] `xml:"networkInterfaceSet"`
	NextToken  string                            `xml:"nextToken,omitempty"`
}

type instanceState struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

type placement struct {
	AvailabilityZone string `xml:"availabilityZone"`
	Tenancy          string `xml:"tenancy"`
}

type instanceItem struct {
	InstanceID        string                 `xml:"instanceId"`
	ImageID           string                 `xml:"imageId"`
	State             instanceState          `xml:"instanceState"`
	PrivateDNSName    string                 `xml:"privateDnsName"`
	DNSName           string                 `xml:"dnsName"`
	InstanceType      string                 `xml:"instanceType"`
	LaunchTime        string                 `xml:"launchTime"`
	Placement         placement              `xml:"placement"`
	SubnetID          string                 `xml:"subnetId"`
	VpcID             string                 `xml:"vpcId"`
	PrivateIPAddress  string                 `xml:"privateIpAddress"`
	SourceDestCheck   query.Bool             `xml:"sourceDestCheck"`
	Groups            []groupIdentifier      `xml:"groupSet>item"`
	Architecture      string                 `xml:"architecture"`
	RootDeviceType    string                 `xml:"rootDeviceType"`
	Hypervisor        string                 `xml:"hypervisor"`
	NetworkInterfaces []networkInterfaceItem `xml:"networkInterfaceSet>item"`
	Tags              []tagItem              `xml:"tagSet>item"`
}

type reservationItem struct {
	ReservationID string         `xml:"reservationId"`
	OwnerID       string         `xml:"ownerId"`
	Instances     []instanceItem `xml:"instancesSet>item"`
}

type describeInstancesReply struct {
	query.EC2Response
	Reservations query.Items[reservationItem] `xml:"reservationSet"`
	NextToken    string                       `xml:"nextToken,omitempty"`
}

type assignedIPItem struct {
	PrivateIPAddress string `xml:"privateIpAddress"`
}

type assignPrivateIPsReply struct {
	query.EC2Response
	NetworkInterfaceID string           `xml:"networkInterfaceId"`
	AssignedIPs        []assignedIPItem `xml:"assignedPrivateIpAddressesSet>item"`
	AssignedPrefixes   []ipv4PrefixItem `xml:"assignedIpv4PrefixSet>item"`
}
