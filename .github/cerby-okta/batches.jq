# Stack IDs (a JSON array) -> at most 256 batches, each a space-separated
# string of stack IDs, in order: a GitHub matrix holds at most 256 jobs, and
# `shards:` allows 999 stacks per workspace. Used by the workflows as
#   jq -c -f .github/cerby-okta/batches.jq <<< '["ws-a","ws-b-s000",...]'
if length == 0 then []
else
  (((length + 255) / 256) | floor) as $size
  | [range(0; length; $size) as $start | .[$start:$start + $size] | join(" ")]
end
