// Package shield is lbsg's Shield Advanced layer: the subscription state
// and a resource's protection. Values in, values out.
//
// Caches: none; every method is one call made when it is called, and a
// write invalidates nothing here. cloud/state keeps the subscription state
// and each load balancer's protection, updated from lbsg's own writes.
//
// Never decided here: whether a protection should exist or who owns it;
// the callers delete only a protection the manifest turned off, as LBC
// does.
package shield
