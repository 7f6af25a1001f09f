#!/usr/bin/env bash
# Prints the stacks to run as matrix batches (JSON), from `cerby-okta shards
# --json` (arguments are passed on, e.g. --stack). Used by reconcile.yml and
# apply.yml.
#
# Refuses a workspace sharded automatically (`shardSource: advised`: no
# `shards:` entry and no record of its applies on this runner): in CI the
# count must come from the committed cerby-okta.yaml, where the pull request
# showed it, never from a runner that forgets it.
set -euo pipefail
here=$(dirname "$0")
# Workflow commands off while cerby-okta may print names from Cerby (an error
# quoting a workspace file); on stderr, as stdout is the batches.
source "$here/commands-off.sh"
commands_off 2
listing=$(npx cerby-okta shards --json "$@")
commands_on
uncommitted=$(jq -r '.workspaces[] | select(.shardSource == "advised" and .shards > 1) | "\(.workspace): \(.shards)"' <<< "$listing")
if [ -n "$uncommitted" ]; then
  while read -r line; do
    workspace=${line%%:*}
    count=${line##* }
    echo "::error title=Shard count not committed::$workspace has no shards: entry in cerby-okta.yaml, and this runner has no record of its applies. Add 'shards: { $workspace: N }' and commit it: N is the count it was last applied with (1 if it was one stack), or $count (advised) if this is its first sync. 'cerby-okta plan' on a laptop writes the advised count." >&2
  done <<< "$uncommitted"
  exit 1
fi
jq -c '[.stacks[].stack]' <<< "$listing" | jq -c -f "$here/batches.jq"
