// Package shield emulates the part of AWS Shield Advanced that load
// balancers depend on: the subscription (GetSubscriptionState,
// CreateSubscription; a new account is INACTIVE, a seed or
// CreateSubscription makes it ACTIVE) and protections (CreateProtection,
// DeleteProtection, DescribeProtection by ID or resource ARN,
// ListProtections). It speaks awsJson1_1 (X-Amz-Target
// AWSShield_20160616.<Action>, SigV4 service shield).
//
// A resource has at most one protection (ResourceAlreadyExistsException).
// Protections of ELBv2 load balancers need the load balancer to exist when
// created (InvalidResourceException otherwise) and, as far as this emulator
// is concerned, outlive it: deleting the load balancer leaves the
// protection, so a controller that created one must delete it.
// Without a subscription CreateProtection is ResourceNotFoundException.
package shield
