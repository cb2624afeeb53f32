# Makes the installed /etc/faxemu/faxd.toml from fixtures/faxd.toml, the one
# commented file of every setting: the same text with the service's paths.
# cmake -DIN=fixtures/faxd.toml -DOUT=faxd.toml -P sample_config.cmake
# Fails when a line it replaces is gone, so the two cannot drift apart silently.
file(READ "${IN}" text)

function(replace_line from to)
  string(FIND "${text}" "${from}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${IN}: no line \"${from}\" to replace for the installed config")
  endif()
  string(REPLACE "${from}" "${to}" text "${text}")
  set(text "${text}" PARENT_SCOPE)
endfunction()

replace_line("# faxd configuration: every setting, with its default. Start with\n#   faxd --config fixtures/faxd.toml\n"
             "# faxd configuration: every setting, with its default. The service\n# (faxd.service) runs faxd --config on this file; after a change, check it\n# with `faxd check-config FILE`, then restart faxd. faxctl finds this faxd\n# with `faxctl --config FILE` (or FAXD_CONFIG=FILE). Manual: faxd.toml(5).\n")
replace_line("spool = \"/tmp/faxemu-example-spool\"" "spool = \"/var/spool/faxemu\"")
replace_line("data = \"/tmp/faxemu-example-inbox\"" "data = \"/var/spool/faxemu/inbox\"")

file(WRITE "${OUT}.tmp" "${text}")
file(RENAME "${OUT}.tmp" "${OUT}")
