' Calls per second through the shim under Wine (printed, not asserted).
'   cscript //nologo bench.vbs HOST:PORT
Option Explicit
Dim server, ports, port, st, i, n, t0, t, x
Set server = CreateObject("FaxServer.FaxServer")
server.Connect WScript.Arguments(0)
Set ports = server.GetPorts
Set port = ports.Item(1)

Sub Report(what, count, seconds)
    If seconds <= 0 Then seconds = 0.001
    WScript.Echo what & ": " & count & " calls in " & FormatNumber(seconds, 2) & " s = " & FormatNumber(count / seconds, 0) & " calls/s"
End Sub

n = 20000
t0 = Timer
For i = 1 To n
    x = port.Rings
Next
Report "Port.Rings get (cached, no faxd round trip)", n, Timer - t0

n = 500
t0 = Timer
For i = 1 To n
    x = server.Retries
Next
Report "Server.Retries get (server.get round trip)", n, Timer - t0

n = 500
t0 = Timer
For i = 1 To n
    Set st = port.GetStatus
Next
Report "Port.GetStatus (port.status round trip + new object)", n, Timer - t0

n = 500
t0 = Timer
For i = 1 To n
    st.Refresh
Next
Report "FaxStatus.Refresh", n, Timer - t0
server.Disconnect
