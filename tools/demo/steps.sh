# tools/run demo's stages (sourced, bash): each step prints one heading and how
# it ended, while what it runs (apt, cmake, ninja) goes to a log file, whose
# last lines are shown when a step fails. The fax's own progress, the part
# worth reading, is then printed as it comes.
#   steps_begin LOG TOTAL   start a fresh LOG for TOTAL steps, saying where it is
#   step TITLE CMD...       run CMD into the log; its status is step's
#   step_heading TITLE      a heading for a step whose output is shown (the fax)

steps_begin() {
  step_log=$1
  step_total=$2
  step_number=0
  mkdir -p "$(dirname "$step_log")"
  : >"$step_log"
  echo "install and build output: $step_log"
}

step_heading() {
  step_number=$((step_number + 1))
  printf '\n==> [%d/%d] %s\n' "$step_number" "$step_total" "$1"
}

step() {
  local title=$1 rc=0 start=$SECONDS first
  shift
  step_heading "$title"
  printf '\n==> %s\n' "$title" >>"$step_log"
  first=$(($(wc -l <"$step_log") + 1))
  "$@" >>"$step_log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    # The end of this step's output only, not the steps before it.
    echo "    FAILED (exit status $rc). The end of its output in $step_log:"
    tail -n "+$first" "$step_log" | tail -n 25 | sed 's/^/    | /'
    return "$rc"
  fi
  echo "    done ($((SECONDS - start)) s)"
}

# What to try after the demo: faxd and faxctl by hand (faxctl finds a faxd
# started without --config in the same default spool), the man pages, the .deb.
demo_next_steps() {
  local bin=build/release/tools
  cat <<NEXT

==> Next steps
  $bin/faxd/faxd                     # faxd on its two simulated ports; Ctrl-C stops it
  # then, in another terminal:
  $bin/faxctl/faxctl ports           # the ports; faxctl status: their live status
  $bin/faxctl/faxctl send --to 5551002 --wait fixtures/documents/letter-fine-mmr.tif
  $bin/faxctl/faxctl jobs            # the queue: jobs waiting or under way
  $bin/faxctl/faxctl received        # received faxes; --fetch ID -o fax.pdf to get one
  $bin/demo/faxemu-demo --speed 1 --web-wait   # the demo at line speed, watched in the web console
  man -l build/release/packaging/man/faxctl.1.gz   # every command; faxd.8.gz, faxd.toml.5.gz too
  faxd with modems: fixtures/faxd.toml; as a service: tools/run package (README: Installing)
NEXT
}
