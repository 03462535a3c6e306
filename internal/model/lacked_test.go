package model

import "github.com/lbsg/lbsg/internal/annotations"

// testLackedKey stands for a Service annotation lbsg lacks: since the QUIC
// pod webhook (issue 20) LBC has none left, so the tests of refusal add one.
const testLackedKey = annotations.ServicePrefix + "aws-load-balancer-test-lacked"

func init() {
	annotations.Surface = append(annotations.Surface, annotations.Key{Name: testLackedKey, Object: annotations.OnService,
		Support: annotations.Unsupported, Lacks: "a feature for tests"})
}
