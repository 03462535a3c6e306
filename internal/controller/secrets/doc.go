// Package secrets reads the Kubernetes Secrets that Ingresses name for
// authentication (the auth-idp-oidc secretName) and watches exactly those,
// as LBC's secrets manager does: one namespaced list/watch per Secret,
// narrowed by a metadata.name field selector (and the
// --required-secrets-label selector, when set), so RBAC may grant the
// controller single Secrets by resourceNames and no Secret the cluster has
// is cached but the ones in use.
//
// A consumer (an IngressGroup's reconcile request) says which Secrets it
// uses with Monitor after each build; a watch stops when no consumer uses
// its Secret any more. A change to a watched Secret (its data or labels;
// creation and deletion too) enqueues its consumers. Get serves a watched
// Secret from the watch once it has synced (no API call on a resync) and
// reads any other one straight from the API server.
package secrets
