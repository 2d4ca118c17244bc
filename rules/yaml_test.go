package rules

import "gopkg.in/yaml.v3"

type yamlNode = yaml.Node

func yamlUnmarshal(b []byte, n *yaml.Node) error { return yaml.Unmarshal(b, n) }
