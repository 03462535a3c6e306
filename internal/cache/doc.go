// Package cache is a small TTL cache for observed AWS state, with an
// injectable clock (k8s.io/utils/clock) and explicit invalidation.
//
// Contract:
//   - A TTL[K, V] maps keys to values that expire a fixed time after they were
//     stored. Reads never extend a lifetime.
//   - Writers invalidate: a provider that changes an AWS object deletes its
//     entries (Delete, DeleteFunc) in the same call, success or failure, so
//     the next read goes to AWS. A failed write may have half-happened.
//   - Values are stored and returned as given; callers store values they do
//     not mutate afterwards (copy slices before changing them).
//   - The TTLs lbsg uses are named constants in ttl.go, each with its
//     trade-off. Caches are optimisations: everything they hold can be rebuilt
//     from AWS, and nothing destructive is decided from them (the ec2 provider
//     re-reads a group before any revoke: LBC #4889).
//
// Imports k8s.io/utils/clock only. No package-level mutable state; safe for
// concurrent use.
//
// Known limits: concurrent misses on one key each load (no single-flight);
// expired entries are dropped when read or on Purge, and Set purges when the
// map has doubled since the last purge, so memory is bounded by twice the live
// entries.
package cache
