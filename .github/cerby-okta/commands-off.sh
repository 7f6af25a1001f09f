# Sourced by every workflow step that runs cerby-okta (docs/workflows.md).
# The runner reads workflow commands in each line a step prints (`::name::` at a
# line's start, `##[name]` anywhere in it), and names from Cerby reach the log
# as typed: workflow commands are off while cerby-okta runs, under a token
# drawn for this run that no name can guess.
#
# commands_off [FD]: off now (the line written to FD: 1 by default, 2 where
#   stdout is the step's data), and on again however the script ends: left
#   off, they would stay off for the job's later steps.
# commands_on: on again. Call it once cerby-okta's last line is printed (its
#   tees waited for) and before the step's own ::error or ::notice.
commands_off() {
  commands_fd=${1:-1}
  commands_token=$(cat /proc/sys/kernel/random/uuid)
  echo "::stop-commands::$commands_token" >&"$commands_fd"
  trap commands_on EXIT
}

commands_on() {
  trap - EXIT
  echo "::$commands_token::" >&"$commands_fd"
}
