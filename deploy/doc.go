// Package deploy holds what runs lbsg in a real cluster: the IAM policy
// (iam-policy.json), the Helm chart (helm/lbsg) and, in its tests, the
// checks that keep them in step with the code.
package deploy
