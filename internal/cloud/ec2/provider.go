package ec2

import "github.com/lbsg/lbsg/internal/awsapi"

// maxFilterValues is EC2's limit on filter values per call, summed over all
// filters (FilterLimitExceeded, aws-api.md §2.0).
const maxFilterValues = 200

// pageSize is MaxResults on paged Describes: the largest page EC2 serves,
// and a MaxResults keeps a call out of the small "unfiltered" bucket.
const pageSize = 1000

// Provider reads and writes VPCs, subnets, security groups, instances and
// ENIs. It holds no state besides the client: every method is one or a few
// calls, safe for concurrent use.
type Provider struct {
	api awsapi.EC2API
}

// New returns a Provider calling api.
func New(api awsapi.EC2API) *Provider {
	return &Provider{api: api}
}

func chunks[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > 0 {
		k := min(n, len(s))
		out = append(out, s[:k:k])
		s = s[k:]
	}
	return out
}
