' Connecting: refused connections and logins, and a session without a login.
'   cscript //nologo late_auth.vbs MODE HOST:PORT
' MODE nologin: FAXEMU_USER unset; Connect works, faxd refuses GetPorts.
' MODE badpassword: Connect fails with E_ACCESSDENIED naming the user.
' MODE noserver: HOST:PORT has no faxd; Connect fails saying so.
Option Explicit
On Error Resume Next

Dim passed, failed
passed = 0
failed = 0

Sub Check(ok, what)
    If ok Then
        passed = passed + 1
        WScript.Echo "ok   " & what
    Else
        failed = failed + 1
        WScript.Echo "FAIL " & what & " (Err " & Hex(Err.Number) & ": " & Err.Description & ")"
    End If
End Sub

Const E_ACCESSDENIED = &H80070005
Dim mode, address, server, ports
mode = WScript.Arguments(0)
address = WScript.Arguments(1)
Set server = CreateObject("FaxServer.FaxServer")
Check Err.Number = 0, "CreateObject"

Select Case mode
Case "nologin"
    server.Connect address
    Check Err.Number = 0, "Connect without a user"
    Err.Clear
    Set ports = server.GetPorts
    Check Err.Number = E_ACCESSDENIED And Len(Err.Description) > 0, "GetPorts without a login -> E_ACCESSDENIED: " & Err.Description
    Err.Clear
Case "badpassword"
    server.Connect address
    Check Err.Number = E_ACCESSDENIED And InStr(1, Err.Description, "FAXEMU_USER", 1) > 0, "Connect with a wrong password -> E_ACCESSDENIED: " & Err.Description
    Err.Clear
    Set ports = server.GetPorts
    Check Err.Number <> 0 And InStr(1, Err.Description, "Connect", 1) > 0, "not connected after a refused login: " & Err.Description
    Err.Clear
Case "noserver"
    server.Connect address
    Check Err.Number <> 0 And InStr(1, Err.Description, "cannot connect", 1) > 0, "Connect to a closed port fails: " & Err.Description
    Err.Clear
Case Else
    Check False, "unknown mode " & mode
End Select

WScript.Echo passed & " passed, " & failed & " failed"
If failed > 0 Then WScript.Quit 1
WScript.Quit 0
