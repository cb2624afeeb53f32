' Negative control: an uncaught error. Wine's cscript exits 0 with no output;
' the harness must still report this script as failed.
Option Explicit
Dim server
Set server = CreateObject("FaxServer.FaxServer")
server.NoSuchMethod
WScript.Echo "1 passed, 0 failed"
