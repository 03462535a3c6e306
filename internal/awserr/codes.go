package awserr

import "strings"

// ClientRetryQuotaExceeded is not an AWS code: Code returns it for the SDK's
// client-side ratelimit.QuotaExceededError.
const ClientRetryQuotaExceeded = "ClientRetryQuotaExceeded"

// EC2 codes lbsg reacts to (aws-api.md §1.5, §2, §4).
const (
	EC2RequestLimitExceeded                    = "RequestLimitExceeded"
	EC2ThrottledException                      = "EC2ThrottledException"
	EC2InvalidPermissionDuplicate              = "InvalidPermission.Duplicate"
	EC2InvalidPermissionNotFound               = "InvalidPermission.NotFound"
	EC2InvalidPermissionMalformed              = "InvalidPermission.Malformed"
	EC2InvalidGroupNotFound                    = "InvalidGroup.NotFound"
	EC2InvalidGroupDuplicate                   = "InvalidGroup.Duplicate"
	EC2InvalidGroupInUse                       = "InvalidGroup.InUse"
	EC2InvalidGroupIDMalformed                 = "InvalidGroupId.Malformed"
	EC2DependencyViolation                     = "DependencyViolation"
	EC2CannotDelete                            = "CannotDelete"
	EC2RulesPerSecurityGroupLimitExceeded      = "RulesPerSecurityGroupLimitExceeded"
	EC2SecurityGroupsPerInterfaceLimitExceeded = "SecurityGroupsPerInterfaceLimitExceeded"
	EC2SecurityGroupsPerInstanceLimitExceeded  = "SecurityGroupsPerInstanceLimitExceeded"
	EC2SecurityGroupLimitExceeded              = "SecurityGroupLimitExceeded"
	EC2TagLimitExceeded                        = "TagLimitExceeded"
	EC2FilterLimitExceeded                     = "FilterLimitExceeded"
	EC2InvalidVpcIDNotFound                    = "InvalidVpcID.NotFound"
	EC2InvalidSubnetIDNotFound                 = "InvalidSubnetID.NotFound"
	EC2InvalidInstanceIDNotFound               = "InvalidInstanceID.NotFound"
	EC2InvalidInstanceID                       = "InvalidInstanceID"
	EC2InvalidNetworkInterfaceIDNotFound       = "InvalidNetworkInterfaceID.NotFound"
	EC2InvalidSecurityGroupRuleIDNotFound      = "InvalidSecurityGroupRuleId.NotFound"
	EC2InvalidPrefixListIDNotFound             = "InvalidPrefixListID.NotFound"
	EC2InvalidParameterValue                   = "InvalidParameterValue"
	EC2InvalidParameterCombination             = "InvalidParameterCombination"
	EC2InvalidNextToken                        = "InvalidNextToken"
	EC2InvalidID                               = "InvalidID"
	EC2DryRunOperation                         = "DryRunOperation"
	EC2Unavailable                             = "Unavailable"
	EC2InternalError                           = "InternalError"
	EC2AuthFailure                             = "AuthFailure"
	EC2UnauthorizedOperation                   = "UnauthorizedOperation"
)

// ELBv2 codes lbsg reacts to (aws-api.md §1.5, §3, §4). ELBv2 sends the
// model's short code, not the …Exception name.
const (
	ELBThrottling                               = "Throttling"
	ELBThrottlingException                      = "ThrottlingException"
	ELBPriorRequestNotComplete                  = "PriorRequestNotComplete"
	ELBLoadBalancerNotFound                     = "LoadBalancerNotFound"
	ELBTargetGroupNotFound                      = "TargetGroupNotFound"
	ELBListenerNotFound                         = "ListenerNotFound"
	ELBRuleNotFound                             = "RuleNotFound"
	ELBTrustStoreNotFound                       = "TrustStoreNotFound"
	ELBSubnetNotFound                           = "SubnetNotFound"
	ELBCertificateNotFound                      = "CertificateNotFound"
	ELBSSLPolicyNotFound                        = "SSLPolicyNotFound"
	ELBDuplicateLoadBalancerName                = "DuplicateLoadBalancerName"
	ELBDuplicateTargetGroupName                 = "DuplicateTargetGroupName"
	ELBDuplicateListener                        = "DuplicateListener"
	ELBDuplicateTagKeys                         = "DuplicateTagKeys"
	ELBPriorityInUse                            = "PriorityInUse"
	ELBResourceInUse                            = "ResourceInUse"
	ELBInvalidConfigurationRequest              = "InvalidConfigurationRequest"
	ELBInvalidSecurityGroup                     = "InvalidSecurityGroup"
	ELBInvalidSubnet                            = "InvalidSubnet"
	ELBInvalidTarget                            = "InvalidTarget"
	ELBValidationError                          = "ValidationError"
	ELBOperationNotPermitted                    = "OperationNotPermitted"
	ELBUnsupportedProtocol                      = "UnsupportedProtocol"
	ELBIncompatibleProtocols                    = "IncompatibleProtocols"
	ELBTargetGroupAssociationLimit              = "TargetGroupAssociationLimit"
	ELBTooManyLoadBalancers                     = "TooManyLoadBalancers"
	ELBTooManyTargetGroups                      = "TooManyTargetGroups"
	ELBTooManyListeners                         = "TooManyListeners"
	ELBTooManyRules                             = "TooManyRules"
	ELBTooManyTags                              = "TooManyTags"
	ELBTooManyTargets                           = "TooManyTargets"
	ELBTooManyCertificates                      = "TooManyCertificates"
	ELBTooManyActions                           = "TooManyActions"
	ELBTooManyRegistrationsForTargetID          = "TooManyRegistrationsForTargetId"
	ELBTooManyUniqueTargetGroupsPerLoadBalancer = "TooManyUniqueTargetGroupsPerLoadBalancer"
	ELBHealthUnavailable                        = "HealthUnavailable"
	ELBInsufficientCapacity                     = "InsufficientCapacity"
)

// ACM codes lbsg reacts to (certificate discovery).
const (
	// ACMResourceNotFound: a certificate deleted between the listing and
	// its DescribeCertificate. ACM throttles with ThrottlingException
	// (ELBThrottlingException's code).
	ACMResourceNotFound = "ResourceNotFoundException"
	// Certificate management's: DeleteCertificate of a certificate a
	// listener still uses; RequestCertificate over the account's quota
	// (or too many names); and ACM's refusals of a request.
	ACMResourceInUse    = "ResourceInUseException"
	ACMLimitExceeded    = "LimitExceededException"
	ACMValidation       = "ValidationException"
	ACMInvalidArn       = "InvalidArnException"
	ACMInvalidTag       = "InvalidTagException"
	ACMTooManyTags      = "TooManyTagsException"
	ACMInvalidDomainOpt = "InvalidDomainValidationOptionsException"
)

// Route 53 codes lbsg reacts to (certificate management's DNS validation
// records). Route 53 throttles with Throttling and PriorRequestNotComplete
// (ELBv2's codes of the same spelling).
const (
	Route53NoSuchHostedZone   = "NoSuchHostedZone"
	Route53InvalidChangeBatch = "InvalidChangeBatch"
	Route53InvalidInput       = "InvalidInput"
	Route53NoSuchChange       = "NoSuchChange"
)

// Route 53 says what InvalidChangeBatch is about in its message only; these
// fragments of it are what certificate management tells apart.
const (
	// Route53RecordExists: a CREATE of a record set already there (another
	// certificate of the account for the same name wrote it).
	Route53RecordExists = "already exists"
	// Route53RecordNotFound: a DELETE of a record set already gone.
	Route53RecordNotFound = "not found"
	// Route53RecordValuesDiffer: a DELETE of a record set whose values
	// changed since (reused by another certificate).
	Route53RecordValuesDiffer = "do not match the current values"
)

// IsChangeBatch reports an InvalidChangeBatch whose message contains
// fragment (Route53RecordExists, …).
func IsChangeBatch(err error, fragment string) bool {
	return Is(err, Route53InvalidChangeBatch) && strings.Contains(Message(err), fragment)
}

// Generic codes any AWS query service may return.
const (
	AccessDenied          = "AccessDenied"
	AccessDeniedException = "AccessDeniedException"
	ExpiredToken          = "ExpiredToken"
	InvalidClientTokenID  = "InvalidClientTokenId"
	SignatureDoesNotMatch = "SignatureDoesNotMatch"
	ServiceUnavailable    = "ServiceUnavailable"
	InternalFailure       = "InternalFailure"
	RequestTimeout        = "RequestTimeout"
	InvalidAction         = "InvalidAction"
)

// WAFv2 and WAF Classic (Regional) codes (their SDKs' types/errors.go).
const (
	WAFNonexistentItem     = "WAFNonexistentItemException"
	WAFUnavailableEntity   = "WAFUnavailableEntityException"
	WAFInvalidParameter    = "WAFInvalidParameterException"
	WAFInvalidOperation    = "WAFInvalidOperationException"
	WAFLimitsExceeded      = "WAFLimitsExceededException"
	WAFInternalError       = "WAFInternalErrorException"
	WAFOptimisticLock      = "WAFOptimisticLockException"
	WAFStaleData           = "WAFStaleDataException"
	WAFAssociatedItem      = "WAFAssociatedItemException"
	WAFReferencedItem      = "WAFReferencedItemException"
	WAFDuplicateItem       = "WAFDuplicateItemException"
	WAFSubscriptionMissing = "WAFSubscriptionNotFoundException"
)

// Shield codes (its SDK's types/errors.go).
const (
	ShieldResourceNotFound          = "ResourceNotFoundException"
	ShieldResourceAlreadyExists     = "ResourceAlreadyExistsException"
	ShieldInvalidResource           = "InvalidResourceException"
	ShieldInvalidParameter          = "InvalidParameterException"
	ShieldInvalidOperation          = "InvalidOperationException"
	ShieldLimitsExceeded            = "LimitsExceededException"
	ShieldInternalError             = "InternalErrorException"
	ShieldOptimisticLock            = "OptimisticLockException"
	ShieldLockedSubscription        = "LockedSubscriptionException"
	ShieldAccessDeniedForDependency = "AccessDeniedForDependencyException"
)

// byCode is the one table from code to class.
var byCode = map[string]Class{
	// WAF and Shield
	WAFNonexistentItem:              NotFound,
	WAFUnavailableEntity:            Transient, // a resource just created; AWS says retry
	WAFInvalidParameter:             Invalid,
	WAFInvalidOperation:             Invalid,
	WAFLimitsExceeded:               QuotaExceeded,
	WAFInternalError:                Transient,
	WAFOptimisticLock:               Transient,
	WAFStaleData:                    Transient,
	WAFAssociatedItem:               InUse,
	WAFReferencedItem:               InUse,
	WAFDuplicateItem:                Duplicate,
	WAFSubscriptionMissing:          Invalid,
	ShieldResourceAlreadyExists:     Duplicate,
	ShieldInvalidResource:           Invalid,
	ShieldInvalidParameter:          Invalid,
	ShieldInvalidOperation:          Invalid,
	ShieldLimitsExceeded:            QuotaExceeded,
	ShieldInternalError:             Transient,
	ShieldOptimisticLock:            Transient,
	ShieldLockedSubscription:        Invalid,
	ShieldAccessDeniedForDependency: Denied,

	// throttling
	EC2RequestLimitExceeded:    Throttled,
	EC2ThrottledException:      Throttled,
	ELBThrottling:              Throttled,
	ELBThrottlingException:     Throttled,
	ELBPriorRequestNotComplete: Throttled,

	// not found
	EC2InvalidPermissionNotFound:          NotFound,
	EC2InvalidGroupNotFound:               NotFound,
	EC2InvalidVpcIDNotFound:               NotFound,
	EC2InvalidSubnetIDNotFound:            NotFound,
	EC2InvalidInstanceIDNotFound:          NotFound,
	EC2InvalidNetworkInterfaceIDNotFound:  NotFound,
	EC2InvalidSecurityGroupRuleIDNotFound: NotFound,
	EC2InvalidPrefixListIDNotFound:        NotFound,
	ELBLoadBalancerNotFound:               NotFound,
	ELBTargetGroupNotFound:                NotFound,
	ELBListenerNotFound:                   NotFound,
	ELBRuleNotFound:                       NotFound,
	ELBTrustStoreNotFound:                 NotFound,
	ELBSubnetNotFound:                     NotFound,
	ELBCertificateNotFound:                NotFound,
	ELBSSLPolicyNotFound:                  NotFound,
	ACMResourceNotFound:                   NotFound, // also Shield's (ShieldResourceNotFound)
	Route53NoSuchHostedZone:               NotFound,
	Route53NoSuchChange:                   NotFound,

	// duplicates
	EC2InvalidPermissionDuplicate: Duplicate,
	EC2InvalidGroupDuplicate:      Duplicate,
	ELBDuplicateLoadBalancerName:  Duplicate,
	ELBDuplicateTargetGroupName:   Duplicate,
	ELBDuplicateListener:          Duplicate,

	// still referenced
	EC2DependencyViolation: DependencyViolation,
	EC2InvalidGroupInUse:   DependencyViolation,
	ELBResourceInUse:       InUse,
	ELBPriorityInUse:       InUse,
	ACMResourceInUse:       InUse,

	// quotas
	EC2RulesPerSecurityGroupLimitExceeded:       QuotaExceeded,
	EC2SecurityGroupsPerInterfaceLimitExceeded:  QuotaExceeded,
	EC2SecurityGroupsPerInstanceLimitExceeded:   QuotaExceeded,
	EC2SecurityGroupLimitExceeded:               QuotaExceeded,
	EC2TagLimitExceeded:                         QuotaExceeded,
	EC2FilterLimitExceeded:                      QuotaExceeded,
	ELBTargetGroupAssociationLimit:              QuotaExceeded,
	ELBTooManyLoadBalancers:                     QuotaExceeded,
	ELBTooManyTargetGroups:                      QuotaExceeded,
	ELBTooManyListeners:                         QuotaExceeded,
	ELBTooManyRules:                             QuotaExceeded,
	ELBTooManyTags:                              QuotaExceeded,
	ELBTooManyTargets:                           QuotaExceeded,
	ELBTooManyCertificates:                      QuotaExceeded,
	ELBTooManyActions:                           QuotaExceeded,
	ELBTooManyRegistrationsForTargetID:          QuotaExceeded,
	ELBTooManyUniqueTargetGroupsPerLoadBalancer: QuotaExceeded,
	ACMLimitExceeded:                            QuotaExceeded,
	ACMTooManyTags:                              QuotaExceeded,

	// invalid input
	EC2InvalidPermissionMalformed:  Invalid,
	EC2InvalidGroupIDMalformed:     Invalid,
	EC2InvalidParameterValue:       Invalid,
	EC2InvalidParameterCombination: Invalid,
	EC2InvalidNextToken:            Invalid,
	EC2InvalidID:                   Invalid,
	EC2InvalidInstanceID:           Invalid,
	EC2CannotDelete:                Invalid,
	EC2DryRunOperation:             Invalid,
	ELBInvalidConfigurationRequest: Invalid,
	ELBInvalidSecurityGroup:        Invalid,
	ELBInvalidSubnet:               Invalid,
	ELBInvalidTarget:               Invalid,
	ELBValidationError:             Invalid,
	ELBOperationNotPermitted:       Invalid,
	ELBUnsupportedProtocol:         Invalid,
	ELBIncompatibleProtocols:       Invalid,
	ELBDuplicateTagKeys:            Invalid,
	InvalidAction:                  Invalid,
	ACMValidation:                  Invalid,
	ACMInvalidArn:                  Invalid,
	ACMInvalidTag:                  Invalid,
	ACMInvalidDomainOpt:            Invalid,
	Route53InvalidChangeBatch:      Invalid,
	Route53InvalidInput:            Invalid,

	// denied
	EC2AuthFailure:           Denied,
	EC2UnauthorizedOperation: Denied,
	AccessDenied:             Denied,
	AccessDeniedException:    Denied,
	ExpiredToken:             Denied,
	InvalidClientTokenID:     Denied,
	SignatureDoesNotMatch:    Denied,

	// server side
	EC2Unavailable:          Transient,
	EC2InternalError:        Transient,
	ServiceUnavailable:      Transient,
	InternalFailure:         Transient,
	RequestTimeout:          Transient,
	ELBHealthUnavailable:    Transient,
	ELBInsufficientCapacity: Transient,
}
