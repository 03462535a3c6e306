#!/usr/bin/env bash
# Makes sure AWS CLI v2 is installed (the e2e walkthrough and emulator
# conformance tests drive it). When none is found, installs Debian's awscli
# package as /usr/bin/aws, saying so, with sudo when not root. A
# pip-installed awscli 1.x on PATH does not count.
#
# LBSG_AWS_CLI=PATH names another AWS CLI v2 and skips the install.
set -euo pipefail

if [[ -n ${LBSG_AWS_CLI:-} ]]; then
	"$LBSG_AWS_CLI" --version
	exit 0
fi
# The tests' order: LBSG_AWS_CLI, /usr/bin/aws, then aws on PATH.
for cli in /usr/bin/aws "$(command -v aws || true)"; do
	if [[ -x $cli ]] && "$cli" --version 2>&1 | grep -q '^aws-cli/2\.'; then
		echo "awscli: $cli ($("$cli" --version 2>&1 | cut -d' ' -f1))"
		exit 0
	fi
done
echo "awscli: AWS CLI v2 not found at /usr/bin/aws; installing Debian's awscli package (apt-get)" >&2
if ! command -v apt-get >/dev/null; then
	echo "awscli: no apt-get on this machine: install AWS CLI v2 as /usr/bin/aws, or set LBSG_AWS_CLI to its path" >&2
	exit 1
fi
sudo=()
if [[ $(id -u) != 0 ]]; then
	command -v sudo >/dev/null || { echo "awscli: not root and no sudo: run 'apt-get install awscli' as root" >&2; exit 1; }
	sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# An install from stale package lists fails; update them once and retry.
"${sudo[@]}" apt-get install -y -qq awscli >/dev/null ||
	{ "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq awscli >/dev/null; }
/usr/bin/aws --version
