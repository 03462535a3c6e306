// Package shield is lbsg's Shield Advanced layer: the subscription state
// and a resource's protection. Values in, values out; it keeps nothing.
package shield
