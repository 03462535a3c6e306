package deploy

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/awsapi"
)

// policy is an IAM policy document; Action and Resource take a string or a
// list of strings.
type policy struct {
	Version   string
	Statement []statement
}

type statement struct {
	Sid       string
	Effect    string
	Action    stringOrList
	Resource  stringOrList
	Condition map[string]map[string]stringOrList
}

type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// calledActions is every IAM action lbsg can call: the methods of the
// awsapi interfaces, which list exactly the AWS operations the code uses.
func calledActions() []string {
	var out []string
	for prefix, iface := range map[string]reflect.Type{
		"ec2":                  reflect.TypeFor[awsapi.EC2API](),
		"elasticloadbalancing": reflect.TypeFor[awsapi.ELBV2API](),
		"eks":                  reflect.TypeFor[awsapi.EKSAPI](),
		"acm":                  reflect.TypeFor[awsapi.ACMManageAPI](),
		"route53":              reflect.TypeFor[awsapi.Route53API](),
		"wafv2":                reflect.TypeFor[awsapi.WAFV2API](),
		"waf-regional":         reflect.TypeFor[awsapi.WAFRegionalAPI](),
		"shield":               reflect.TypeFor[awsapi.ShieldAPI](),
	} {
		for m := range iface.Methods() {
			out = append(out, prefix+":"+m.Name)
		}
	}
	// Implied: AWS also authorizes a web ACL (dis)association on the ALB
	// as this ELB action.
	out = append(out, "elasticloadbalancing:SetWebAcl")
	// Implied: ACM authorizes the tags of a RequestCertificate as this.
	out = append(out, "acm:AddTagsToCertificate")
	slices.Sort(out)
	return out
}

func readPolicy(t *testing.T) policy {
	t.Helper()
	b, err := os.ReadFile("iam-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var p policy
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("iam-policy.json: %v", err)
	}
	return p
}

// policyActions is every action the policy allows, sorted and deduplicated.
func policyActions(p policy) []string {
	var out []string
	for _, s := range p.Statement {
		out = append(out, s.Action...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestIAMPolicyListsExactlyTheCalledActions(t *testing.T) {
	want := calledActions()
	if len(want) < 40 {
		t.Fatalf("only %d actions derived from awsapi; reflection broke?", len(want))
	}
	got := policyActions(readPolicy(t))
	for _, a := range want {
		if !slices.Contains(got, a) {
			t.Errorf("missing from iam-policy.json: %s (called through awsapi)", a)
		}
	}
	for _, a := range got {
		if !slices.Contains(want, a) {
			t.Errorf("extra in iam-policy.json: %s (no awsapi method calls it)", a)
		}
	}
}

var (
	actionRE   = regexp.MustCompile(`^(ec2|elasticloadbalancing|eks|acm|route53|wafv2|waf-regional|shield):[A-Z][A-Za-z0-9]+$`)
	resourceRE = regexp.MustCompile(`^(\*|arn:aws:(ec2|elasticloadbalancing|eks|wafv2|waf-regional):\*:\*:[a-z-]+/[*/a-z]+|arn:aws:shield::\*:protection/\*|arn:aws:acm:\*:\*:certificate/\*|arn:aws:route53:::hostedzone/\*)$`)
	sidRE      = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	// Condition operators and keys the policy may use.
	operators = []string{"StringEquals", "Null"}
	condKeyRE = regexp.MustCompile(`^(aws:(RequestTag|ResourceTag)/elbv2\.k8s\.aws/cluster|ec2:CreateAction|elasticloadbalancing:CreateAction)$`)
)

const clusterTag = "${aws:PrincipalTag/elbv2.k8s.aws/cluster}"

func TestIAMPolicyIsValid(t *testing.T) {
	p := readPolicy(t)
	if p.Version != "2012-10-17" {
		t.Errorf("Version = %q, want 2012-10-17 (policy variables need it)", p.Version)
	}
	if len(p.Statement) == 0 {
		t.Fatal("no statements")
	}
	sids := map[string]bool{}
	for i, s := range p.Statement {
		if !sidRE.MatchString(s.Sid) || sids[s.Sid] {
			t.Errorf("statement %d: Sid %q is not alphanumeric or not unique", i, s.Sid)
		}
		sids[s.Sid] = true
		if s.Effect != "Allow" {
			t.Errorf("%s: Effect %q, want Allow", s.Sid, s.Effect)
		}
		if len(s.Action) == 0 || len(s.Resource) == 0 {
			t.Errorf("%s: needs Action and Resource", s.Sid)
		}
		for _, a := range s.Action {
			if !actionRE.MatchString(a) {
				t.Errorf("%s: action %q is not service:Operation (no wildcards)", s.Sid, a)
			}
		}
		for _, r := range s.Resource {
			if !resourceRE.MatchString(r) {
				t.Errorf("%s: resource %q is not * or an aws ARN pattern", s.Sid, r)
			}
		}
		for op, kv := range s.Condition {
			if !slices.Contains(operators, op) {
				t.Errorf("%s: condition operator %s not in %v", s.Sid, op, operators)
			}
			for k, v := range kv {
				if !condKeyRE.MatchString(k) {
					t.Errorf("%s: condition key %s unexpected", s.Sid, k)
				}
				if strings.HasPrefix(k, "aws:") && op == "StringEquals" && !slices.Equal(v, []string{clusterTag}) {
					t.Errorf("%s: %s must equal %s (this cluster), got %v", s.Sid, k, clusterTag, v)
				}
			}
		}
	}
}

// unconditional lists the mutating actions the policy may allow without a
// tag condition, and why.
var unconditional = map[string]string{
	// Node and pod security groups are made by eksctl, Karpenter, Terraform…;
	// they carry kubernetes.io/cluster/<name>, a key IAM cannot match by
	// pattern. docs/install.md shows how to narrow these with ec2:Vpc.
	"ec2:AuthorizeSecurityGroupIngress": "node security groups",
	"ec2:RevokeSecurityGroupIngress":    "node security groups",
	// The VPC half of CreateSecurityGroup; the security-group half is
	// conditioned on the request tag.
	"ec2:CreateSecurityGroup": "vpc resource",
	// Listeners and rules take no tags from lbsg; they can only be attached
	// to load balancers and target groups whose own writes are conditioned.
	"elasticloadbalancing:CreateListener":           "listener",
	"elasticloadbalancing:CreateRule":               "listener rule",
	"elasticloadbalancing:DeleteListener":           "listener",
	"elasticloadbalancing:DeleteRule":               "listener rule",
	"elasticloadbalancing:ModifyListener":           "listener",
	"elasticloadbalancing:ModifyListenerAttributes": "listener",
	"elasticloadbalancing:ModifyRule":               "listener rule",
	"elasticloadbalancing:SetRulePriorities":        "listener rule",
	// TargetGroupBindings register targets in target groups made by
	// Terraform, CloudFormation or another cluster, which carry no lbsg tag
	// (LBC's policy allows these on every target group too).
	"elasticloadbalancing:RegisterTargets":   "target group of a TargetGroupBinding",
	"elasticloadbalancing:DeregisterTargets": "target group of a TargetGroupBinding",
	// A listener's certificate list; certificates are named by ARN.
	"elasticloadbalancing:AddListenerCertificates":    "listener",
	"elasticloadbalancing:RemoveListenerCertificates": "listener",
	// Web ACL associations are authorized on the web ACL and, through
	// elasticloadbalancing:SetWebAcl (conditioned on the cluster tag), on
	// the ALB. Shield protections take no tags from lbsg (nor LBC).
	"wafv2:AssociateWebACL":           "web ACL",
	"wafv2:DisassociateWebACL":        "web ACL",
	"waf-regional:AssociateWebACL":    "web ACL",
	"waf-regional:DisassociateWebACL": "web ACL",
	"shield:CreateProtection":         "protection",
	"shield:DeleteProtection":         "protection",
	// Certificate management writes ACM's validation CNAMEs in the public
	// hosted zones of the Ingresses' hosts; hosted zones carry no lbsg tag.
	"route53:ChangeResourceRecordSets": "hosted zone",
}

func TestIAMPolicyConditionsMutatingCalls(t *testing.T) {
	p := readPolicy(t)
	readOnly := regexp.MustCompile(`:(Describe|Get|List)`)
	for _, s := range p.Statement {
		for _, a := range s.Action {
			switch {
			case readOnly.MatchString(a):
				if len(s.Condition) != 0 || !slices.Equal(s.Resource, []string{"*"}) {
					t.Errorf("%s: read %s should be unconditional on *", s.Sid, a)
				}
			case len(s.Condition) == 0:
				if _, ok := unconditional[a]; !ok {
					t.Errorf("%s: mutating %s has no tag condition", s.Sid, a)
				}
				if slices.Contains(s.Resource, "*") {
					t.Errorf("%s: unconditional %s on Resource *", s.Sid, a)
				}
			}
		}
	}
	// Creates must carry this cluster's tag; everything else that changes a
	// tagged resource must find it.
	for _, a := range []string{"ec2:CreateSecurityGroup", "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup", "acm:RequestCertificate"} {
		if !hasCondition(p, a, "aws:RequestTag/elbv2.k8s.aws/cluster") {
			t.Errorf("%s is not conditioned on the request tag elbv2.k8s.aws/cluster", a)
		}
	}
	for _, a := range []string{
		"ec2:DeleteSecurityGroup", "ec2:DeleteTags",
		"elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DeleteTargetGroup",
		"elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:ModifyTargetGroup",
		"elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:SetSecurityGroups",
		"elasticloadbalancing:RemoveTags", "acm:DeleteCertificate",
	} {
		for _, s := range p.Statement {
			if slices.Contains(s.Action, a) && !slices.Equal(s.Condition["StringEquals"]["aws:ResourceTag/elbv2.k8s.aws/cluster"], []string{clusterTag}) {
				t.Errorf("%s: %s is not conditioned on the resource tag elbv2.k8s.aws/cluster", s.Sid, a)
			}
		}
	}
}

// hasCondition reports whether every statement allowing action on a
// security group, load balancer or target group conditions it on key.
func hasCondition(p policy, action, key string) bool {
	found := false
	for _, s := range p.Statement {
		if !slices.Contains(s.Action, action) {
			continue
		}
		if slices.ContainsFunc(s.Resource, func(r string) bool { return strings.HasSuffix(r, ":vpc/*") }) {
			continue // the VPC half of CreateSecurityGroup
		}
		if !slices.Equal(s.Condition["StringEquals"][key], []string{clusterTag}) {
			return false
		}
		found = true
	}
	return found
}
