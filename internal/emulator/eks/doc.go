// Package eks emulates the two read-only EKS operations lbsg and LBC use to
// discover a cluster's VPC: DescribeCluster and ListClusters (REST-JSON,
// GET /clusters/{name} and GET /clusters). Clusters come only from the
// emulator's seed; there is no CreateCluster.
package eks
