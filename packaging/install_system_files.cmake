# Runs at install time (cmake --install, CPack): the files whose place or text
# depends on the prefix installed into. With prefix /usr (the .deb) the config
# goes to /etc, else to PREFIX/etc; the unit names the installed faxd and config.
# Set before it: FAXEMU_SAMPLE_CONFIG, FAXEMU_UNIT_TEMPLATE, FAXEMU_UNIT_DIR, FAXEMU_SBIN.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(FAXEMU_SYSCONFDIR "/etc")
else()
  set(FAXEMU_SYSCONFDIR "${CMAKE_INSTALL_PREFIX}/etc")
endif()
set(FAXEMU_SBINDIR "${CMAKE_INSTALL_PREFIX}/${FAXEMU_SBIN}")

# A config already there is the operator's: never overwritten (dpkg asks about
# its conffile itself).
if(NOT EXISTS "$ENV{DESTDIR}${FAXEMU_SYSCONFDIR}/faxemu/faxd.toml")
  file(INSTALL "${FAXEMU_SAMPLE_CONFIG}" DESTINATION "${FAXEMU_SYSCONFDIR}/faxemu"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()

# One unit per destination: installs into two places at once (a test beside
# CPack) must not write one file.
string(MD5 destination "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
set(unit "${FAXEMU_UNIT_DIR}/${destination}/faxd.service")
configure_file("${FAXEMU_UNIT_TEMPLATE}" "${unit}" @ONLY)
file(INSTALL "${unit}" DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
